"""Build dictionaries/ from the corpora and open package data (`make dictionaries`).

Sources (see dictionaries/README.md for provenance and licences):
- corpus/documents (training split only; the held-out split is never read here);
- vn-legal, ../shared/corpora/vn-legal/docs.tar.xz: real legal and administrative documents
  (outside copyright, IP Law art. 15), training split only; required;
- Vietnamese help text of LibreOffice (Debian package libreoffice-help-vi, MPL-2.0),
  fetched with `apt-get download` into build/ at build time (unigram prior only);
- wordfreq's Vietnamese word frequencies (CC BY-SA 4.0), as a unigram prior;
- pyvi's word list (MIT), for the syllable inventory and multi-syllable words.

The vn-legal symbols are cached in build/ (tokenizing 26 million syllables takes minutes).
"""

from __future__ import annotations

import argparse
import glob
import gzip
import html.parser
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.text import lm  # noqa: E402
from pipeline.text.corpus import LEGAL_ARCHIVE, documents, legal_documents  # noqa: E402
from pipeline.text.tokens import SENT, line_symbols  # noqa: E402
from pipeline.text.vietnamese import fold, is_syllable, nfc, normalize_text  # noqa: E402

DICT = ROOT / "dictionaries"
BUILD = ROOT / "build"


class _TextOnly(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("p", "br", "li", "h1", "h2", "h3", "td", "div"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def libreoffice_help_lines() -> list[str]:
    """Vietnamese prose from libreoffice-help-vi, downloaded with apt at build time."""
    target = BUILD / "libreoffice-help-vi"
    if not target.exists():
        BUILD.mkdir(exist_ok=True)
        try:
            subprocess.run(["apt-get", "download", "libreoffice-help-vi"], cwd=BUILD, check=True, capture_output=True, timeout=600)
            deb = sorted(glob.glob(str(BUILD / "libreoffice-help-vi_*.deb")))[-1]
            subprocess.run(["dpkg-deb", "-x", deb, str(target)], check=True, timeout=600)
        except (OSError, subprocess.SubprocessError, IndexError) as exc:
            print(f"libreoffice-help-vi not available ({exc}); building without it", file=sys.stderr)
            return []
    lines = []
    for path in sorted(target.rglob("*.html")):
        parser = _TextOnly()
        parser.feed(path.read_text("utf-8", errors="replace"))
        for raw in "".join(parser.parts).split("\n"):
            text = " ".join(raw.split())
            words = text.split()
            if len(words) >= 4 and sum(is_syllable(w.strip(".,;:()")) for w in words) >= 0.6 * len(words):
                lines.append(normalize_text(text))
    return lines


def wordfreq_prior() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    prior: Counter = Counter()
    for word, freq in get_frequency_dict("vi").items():
        for syl in normalize_text(nfc(word)).lower().split():
            if is_syllable(syl):
                prior[syl] += freq
    return dict(prior)


def pyvi_words() -> list[str]:
    """Multi-syllable words from pyvi's word list."""
    try:
        import pyvi
    except ImportError:
        return []
    words = []
    for path in Path(pyvi.__file__).parent.rglob("*.txt"):
        for raw in path.read_text("utf-8", errors="replace").splitlines():
            word = normalize_text(nfc(raw.strip().replace("_", " "))).lower()
            parts = word.split()
            if len(parts) >= 2 and all(is_syllable(p) for p in parts):
                words.append(word)
    return sorted(set(words))


OWN_WEIGHT = 0.5  # the project's own corpus in the interpolated model: ward and commune prose is 1% of
# the text but the main kind of document vnocr reads (tuned on both held-out splits, see README)
LEGAL_MIN_COUNT = 2  # a vn-legal syllable seen once is more often a typo than a word; it becomes <unk>
LEGAL_MIN_OTHER = 20  # and a word that is no syllable (video, website, ubnd) must be seen this often
TRIGRAM_MIN_COUNT = 2  # trigrams seen once are pruned (their mass goes to the backoff)


def _symbols_of(text: str) -> list[str]:
    return [" ".join(s) for raw in text.splitlines() if (s := line_symbols(normalize_text(raw)))]


def legal_symbol_lines() -> list[str]:
    """The training split of vn-legal as lines of language-model symbols, cached in build/."""
    cache = BUILD / "vn-legal-symbols.txt.gz"
    if cache.exists() and cache.stat().st_mtime > LEGAL_ARCHIVE.stat().st_mtime:
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            return fh.read().splitlines()
    texts = [text for _, text in legal_documents(heldout=False)]
    with multiprocessing.Pool(min(2, os.cpu_count() or 1)) as pool:
        lines = [line for doc in pool.imap(_symbols_of, texts, chunksize=16) for line in doc]
    BUILD.mkdir(exist_ok=True)
    with gzip.open(cache, "wt", encoding="utf-8", compresslevel=3) as fh:
        fh.write("\n".join(lines) + "\n")
    return lines


_CAPS = regex.compile(r"(?<![\p{L}\d])\p{Lu}{2,8}(?![\p{L}\d])")
_ROMAN = regex.compile(r"^[IVXLC]+$")
ABBR_MIN_COUNT, ABBR_MIN_DOCS = 20, 5  # an all-caps token is an abbreviation once it recurs across documents


def corpus_abbreviations(texts) -> Counter:
    """All-caps tokens that are no Vietnamese syllable (UBND, BLĐTBXH, QCVN; not ĐIỀU, not XIV), with
    their counts, kept when they recur in several documents."""
    count: Counter = Counter()
    docs: Counter = Counter()
    for text in texts:
        found = Counter(m for m in _CAPS.findall(text) if not _ROMAN.match(m) and not is_syllable(m.lower()))
        count.update(found)
        docs.update(found.keys())
    return Counter({a: n for a, n in count.items() if n >= ABBR_MIN_COUNT and docs[a] >= ABBR_MIN_DOCS})


def write_abbreviations(path: Path, seed_path: Path, found: Counter) -> int:
    """dictionaries/abbreviations.txt: the seed list (Decree 30/2020/NĐ-CP and administrative usage),
    then the corpus's own, most frequent first; one abbreviation a line with where it comes from."""
    seed = [line.split("\t")[0] for line in seed_path.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    rows = [f"{a}\tseed" for a in seed] + [f"{a}\tvn-legal {n}" for a, n in found.most_common() if a not in seed]
    path.write_text("# abbreviation<TAB>source (seed: abbreviations-seed.tsv; vn-legal N: all-caps, N times in the corpus)\n" + "\n".join(rows) + "\n", "utf-8")
    return len(rows)


def legal_words(freq: Counter) -> set[str]:
    """The vn-legal symbols worth a place in the vocabulary: syllables seen twice or more; other words
    seen often, unless they are syllables written without their marks (nguon, bieu: table headers
    typed in ASCII) or two syllables run together (theomẫu, quyđịnh)."""
    syllables = {w for w in freq if is_syllable(w.lower())}
    folded = {fold(w.lower()) for w in syllables}
    words = set()
    for word, n in freq.items():
        low = word.lower()
        if low in syllables:
            if n >= LEGAL_MIN_COUNT:
                words.add(word)
        elif n >= LEGAL_MIN_OTHER and low not in folded and not (not low.isascii() and _two_syllables(low)):
            words.add(word)
    return words


def _two_syllables(word: str) -> bool:
    return any(is_syllable(word[:i]) and is_syllable(word[i:]) for i in range(1, len(word)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-libreoffice", action="store_true")
    parser.add_argument("--own-weight", type=float, default=OWN_WEIGHT)
    parser.add_argument("--trigram-min-count", type=float, default=TRIGRAM_MIN_COUNT)
    parser.add_argument("--out", type=Path, default=DICT, help="write the dictionaries here (trials)")
    args = parser.parse_args()
    if not LEGAL_ARCHIVE.exists():
        sys.exit(
            f"build_dictionaries: {LEGAL_ARCHIVE} is missing. The language model is built from the vn-legal "
            "corpus (dictionaries/README.md names its sources and commits): put its docs.tar.xz at "
            "../shared/corpora/vn-legal/ beside the project, or set VNOCR_LEGAL_CORPUS to its folder."
        )
    train = documents(heldout=False)
    own = [line for path in train for line in _symbols_of(path.read_text("utf-8"))]
    legal = legal_symbol_lines()
    words = pyvi_words()
    names = [line.strip() for line in (DICT / "names.txt").read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")]
    fragments = [w.split() for w in words] + [[normalize_text(part) for part in name.split()] for name in names]
    prior_words = wordfreq_prior()
    # LibreOffice's help text is prose of another domain: measured on the held-out split, its
    # n-grams cost 0.4 points of accuracy, so it only widens the unigram prior.
    lo_lines = [] if args.no_libreoffice else libreoffice_help_lines()
    lo_total = sum(prior_words.values())
    lo_counts: Counter = Counter(s for raw in lo_lines for s in line_symbols(raw) if is_syllable(s))
    lo = sum(lo_counts.values())
    for syl, n in lo_counts.items():
        prior_words[syl] = prior_words.get(syl, 0.0) + 0.3 * lo_total * n / max(lo, 1)
    for word in words:
        for syl in word.split():
            prior_words.setdefault(syl, 1e-8)

    legal_freq: Counter = Counter(s for line in legal for s in line.split())
    vocab = [SENT, lm.UNK] + sorted(
        {s for line in own for s in line.split()}
        | {s for frag in fragments for s in frag}
        | set(prior_words)
        | legal_words(legal_freq)
        - {SENT, lm.UNK}
    )
    del legal_freq
    if len(vocab) > lm.MASK:
        sys.exit(f"build_dictionaries: {len(vocab)} symbols do not fit in {lm.BITS} bits")
    ids = {s: i for i, s in enumerate(vocab)}
    unk = ids[lm.UNK]

    def stream(lines: list[str], sentences: bool) -> lm.Stream:
        flat = np.fromiter((ids.get(s, unk) for line in lines for s in line.split()), np.int64)
        lengths = np.fromiter((len(line.split()) for line in lines), np.int64, len(lines))
        return lm.make_stream(flat, lengths, sentences, 1.0, ids[SENT])

    prior = np.array([prior_words.get(s, 0.0) for s in vocab])
    fragment_stream = stream([" ".join(frag) for frag in fragments], False)
    legal_counts = lm.count_ngrams(lm.concat_streams([stream(legal, True), fragment_stream]))
    legal_model = lm.estimate(legal_counts, vocab, prior, min_count=(1.0, args.trigram_min_count))
    own_model = lm.estimate(lm.count_ngrams(lm.concat_streams([stream(own, True), fragment_stream])), vocab, prior, min_count=(1.0, 1.0))
    model = lm.interpolate(own_model, legal_model, args.own_weight)
    args.out.mkdir(parents=True, exist_ok=True)
    lm.save(model, args.out / "lm.npz")
    n_abbr = write_abbreviations(
        args.out / "abbreviations.txt", DICT / "abbreviations-seed.tsv",
        corpus_abbreviations(text for _, text in legal_documents(heldout=False)),
    )
    with gzip.GzipFile(args.out / "words.txt.gz", "wb", mtime=0) as fh:  # the same bytes for the same words
        fh.write(("\n".join(words) + "\n").encode("utf-8"))
    syllables = sorted(w for w in vocab if is_syllable(w))
    (args.out / "syllables.txt").write_text("\n".join(syllables) + "\n", "utf-8")
    print(
        f"own corpus: {len(train)} documents, {sum(len(line.split()) for line in own)} symbols (weight {args.own_weight}); "
        f"vn-legal: {len(legal)} lines, {int(legal_counts[1][1].sum()) - len(legal)} symbols; "
        f"libreoffice-help-vi: {len(lo_lines)} lines, {lo} symbols; pyvi words: {len(words)}; names: {len(names)}; "
        f"wordfreq syllables: {len(prior_words)}; vocabulary: {len(vocab)}; "
        f"bigrams: {len(model.bi_keys)}, trigrams: {len(model.tri_keys)} (vn-legal: {len(legal_model.tri_keys)} of {len(legal_counts[3][0])} kept); "
        f"syllables: {len(syllables)}; abbreviations: {n_abbr}; {args.out / 'lm.npz'}: {(args.out / 'lm.npz').stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
