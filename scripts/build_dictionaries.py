"""Build dictionaries/ from the project's corpus and open package data (`make dictionaries`).

Sources (see dictionaries/README.md for licences):
- corpus/documents (training split only; the held-out split is never read here);
- Vietnamese help text of LibreOffice (Debian package libreoffice-help-vi, MPL-2.0),
  fetched with `apt-get download` into build/ at build time;
- wordfreq's Vietnamese word frequencies (CC BY-SA 4.0), as a unigram prior;
- pyvi's word list (MIT), for the syllable inventory and multi-syllable words.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import html.parser
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.text import lm  # noqa: E402
from pipeline.text.corpus import documents  # noqa: E402
from pipeline.text.tokens import line_symbols  # noqa: E402
from pipeline.text.vietnamese import is_syllable, nfc, normalize_text  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()
    counts = lm.NgramCounts()
    train = documents(heldout=False)
    in_domain = 0
    for path in train:
        for raw in path.read_text("utf-8").splitlines():
            symbols = line_symbols(normalize_text(raw))
            if symbols:
                counts.add(symbols)
                in_domain += len(symbols)
    words = pyvi_words()
    for word in words:
        counts.add(word.split(), boundaries=False)
    names = [line.strip() for line in (DICT / "names.txt").read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")]
    for name in names:
        counts.add([normalize_text(part) for part in name.split()], boundaries=False)
    prior = wordfreq_prior()
    # LibreOffice's help text is prose of another domain: measured on the held-out split, its
    # n-grams cost 0.4 points of accuracy, so it only widens the unigram prior.
    lo_lines = [] if args.no_libreoffice else libreoffice_help_lines()
    lo = 0
    lo_total = sum(prior.values())
    lo_counts: Counter = Counter(s for raw in lo_lines for s in line_symbols(raw) if is_syllable(s))
    lo = sum(lo_counts.values())
    for syl, n in lo_counts.items():
        prior[syl] = prior.get(syl, 0.0) + 0.3 * lo_total * n / max(lo, 1)
    for word in words:
        for syl in word.split():
            prior.setdefault(syl, 1e-8)
    rows = lm.train(counts, prior)
    DICT.mkdir(exist_ok=True)
    lm.save(rows, DICT / "lm.tsv.gz")
    with gzip.open(DICT / "words.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(words) + "\n")
    syllables = sorted(w for w in prior if is_syllable(w)) + sorted(
        g[0] for g in counts.counts[1] if g[0] not in prior and is_syllable(g[0])
    )
    (DICT / "syllables.txt").write_text("\n".join(sorted(set(syllables))) + "\n", "utf-8")
    print(
        f"corpus: {len(train)} documents, {in_domain} symbols; "
        f"libreoffice-help-vi: {len(lo_lines)} lines, {lo} symbols; pyvi words: {len(words)}; names: {len(names)}; "
        f"wordfreq syllables: {len(prior)}; n-grams: {len(rows)}; syllables: {len(set(syllables))}"
    )


if __name__ == "__main__":
    main()
