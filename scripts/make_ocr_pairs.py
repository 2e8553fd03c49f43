#!/usr/bin/env python3
"""Build OCR confusion pairs (channel-model data) and held-out OCR evaluation texts.

Documents of ``corpus/documents`` are rendered (``pipeline.synth``), degraded like scans and
read by the Tesseract CLI in three modes:

* ``eng``       300 DPI, light noise, skew <= 0.5 deg, JPEG 80, ``-l eng --psm 3`` (an OCR
                without Vietnamese: marks are stripped or mangled);
* ``vie``       150 DPI, noise, blur, skew <= 0.7 deg, JPEG 60, ``-l vie --psm 3``;
* ``vie-clean`` 300 DPI, light noise, ``-l vie --psm 3``;
* ``eng-poor``  the ``vie`` scan read with ``-l eng`` (a poor page without Vietnamese: marks stripped, letters
                merged, ``ươ`` read as ``o``); its pairs join ``eng``'s in the channel.

Training documents (a deterministic, strided subset, a different one per mode) are aligned
token by token with their truth text; the aligned pairs are written to
``dictionaries/channel/pairs-<mode>.tsv`` (``truth<TAB>observed<TAB>count``, identity pairs
included), split/merged tokens to ``splits-<mode>.tsv``, figures to ``stats.json`` and
``SUMMARY.md``.  Held-out documents never feed those tables: all of them are OCR'd in the
``eng`` and ``vie`` modes into ``corpus/ocr/<mode>/<stem>.ocr.txt`` + ``<stem>.truth.txt``.

Deterministic (seeds from names).  Work whose output exists is skipped unless ``--force``.
Usage: .venv/bin/python scripts/make_ocr_pairs.py [--force] [--modes eng,vie] [--limit N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
import unicodedata
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DICT_DIR = ROOT / "dictionaries" / "channel"
OCR_DIR = ROOT / "corpus" / "ocr"
MAX_TSV_BYTES = 2 * 1024 * 1024


# --------------------------------------------------------------------------- modes


@dataclass(frozen=True)
class Mode:
    name: str
    lang: str
    dpi: int
    train_docs: int
    max_rotation: float
    noise: float
    blur: float
    jpeg: int
    speckles: float
    background: float
    heldout: bool  # OCR every held-out document in this mode for evaluation


MODES: dict[str, Mode] = {
    m.name: m
    for m in (
        Mode("eng", "eng", 300, 70, 0.5, 3.0, 0.6, 80, 0.0001, 5.0, True),
        Mode("vie", "vie", 150, 35, 0.7, 10.0, 1.3, 60, 0.0003, 8.0, True),
        Mode("vie-clean", "vie", 300, 20, 0.3, 3.0, 0.6, 80, 0.0001, 5.0, False),
        Mode("eng-poor", "eng", 150, 140, 0.7, 10.0, 1.3, 60, 0.0003, 8.0, False),
    )
}


def _seed(*parts: object) -> int:
    return zlib.crc32(":".join(str(p) for p in parts).encode("utf-8"))


def select_training(docs: Sequence[Path], quotas: dict[str, int]) -> dict[str, list[Path]]:
    """Deterministic strided choice of training documents, disjoint between modes when possible.

    ``sum(quotas)`` documents are picked evenly spaced over the sorted list and dealt to the
    modes round-robin in proportion to their quotas (so every mode sees every document type).
    With too few documents each mode takes its own stride (modes then share documents).
    """
    docs = sorted(docs)
    n, total = len(docs), sum(quotas.values())
    out: dict[str, list[Path]] = {m: [] for m in quotas}
    if not n or not total:
        return out
    if n >= total:
        picks = [docs[k * n // total] for k in range(total)]
        given = {m: 0 for m in quotas}
        for k, doc in enumerate(picks):
            # the mode furthest behind its share after k+1 documents
            m = max(quotas, key=lambda q: (quotas[q] * (k + 1) / total - given[q], quotas[q]))
            out[m].append(doc)
            given[m] += 1
        return out
    for off, (m, q) in enumerate(quotas.items()):
        q = min(q, n)
        out[m] = sorted({docs[(off + k * n // q) % n] for k in range(q)})
    return out


# --------------------------------------------------------------------------- tokens


# Sentence punctuation stripped from token ends; symbols an OCR puts in place of letters
# (& @ $ | ! 6 1 ...) are kept because they are the confusions we want to record.
PUNCT = ".,;:?\"'()[]{}<>«»“”‘’„…–—-_·"


def strip_punct(token: str) -> str:
    return token.strip(PUNCT)


def has_alnum(token: str) -> bool:
    return any(c.isalnum() for c in token)


def fold(s: str) -> str:
    """Remove Vietnamese marks (and all combining marks), đ -> d, lower-case."""
    s = s.translate(_D)
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return s.lower()


_D = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})
# Letters Tesseract's eng model (or a bad scan) produces for Vietnamese letters, on folded text.
_CONF_MULTI = (("ii", "u"), ("ir", "u"), ("rn", "m"))
_CONF_SINGLE = str.maketrans(
    {"6": "o", "0": "o", "1": "l", "!": "l", "|": "l", "&": "a", "@": "a", "w": "u",
     "€": "e", "$": "s", "y": "u", "é": "e", "ø": "o", "®": "o", "©": "o"}
)


def conf_fold(s: str) -> str:
    """``fold`` plus a mapping of common OCR digit/symbol confusions (S6 -> so, ciia -> cua)."""
    s = fold(s)
    for a, b in _CONF_MULTI:
        s = s.replace(a, b)
    return s.translate(_CONF_SINGLE)


def _key(token: str) -> str:
    return strip_punct(token) or token


CASE_CLASH = 0.3  # similarity factor for an all-lower-case vs an ALL-CAPS word (nhận / NHÂN)


def _case(token: str) -> int:
    """1 for an ALL-CAPS word (2+ letters), -1 for an all-lower-case one, 0 otherwise."""
    letters = [c for c in token if c.isalpha()]
    if len(letters) < 2:
        return 0
    if all(c.isupper() for c in letters):
        return 1
    return -1 if all(c.islower() for c in letters) else 0


def token_sim(truth: str, observed: str) -> float:
    """Similarity 0..1 of a truth token and an OCR token, ignoring marks, edge punctuation and
    capitalisation, but not a whole word changing case: an OCR does not turn ``nhận`` into
    ``NHÂN`` -- such pairs come from text read in another order."""
    t, o = fold(_key(truth)), _key(observed)
    sim = max(fuzz.ratio(t, fold(o)), fuzz.ratio(t, conf_fold(o))) / 100.0
    return sim * CASE_CLASH if _case(truth) * _case(observed) == -1 else sim


def _sim_matrix(truth: Sequence[str], observed: Sequence[str]) -> np.ndarray:
    t = [fold(_key(x)) for x in truth]
    a = process.cdist(t, [fold(_key(x)) for x in observed], scorer=fuzz.ratio, dtype=np.float32)
    b = process.cdist(t, [conf_fold(_key(x)) for x in observed], scorer=fuzz.ratio, dtype=np.float32)
    sim = np.maximum(a, b) / 100.0
    ct = np.array([_case(x) for x in truth], dtype=np.int8)
    co = np.array([_case(x) for x in observed], dtype=np.int8)
    sim[(ct[:, None] * co[None, :]) == -1] *= CASE_CLASH
    return sim


# --------------------------------------------------------------------------- alignment

SUB, DEL, INS, SPLIT, MERGE = 1, 2, 3, 4, 5
GAP = 0.6  # cost of a deleted truth token or an inserted OCR token
SPLIT_EXTRA = 0.65  # extra cost of a 1:2 or 2:1 step (> GAP: an exact match + a gap beats it) ...
SPLIT_MIN_SIM = 0.75  # ... which needs the joined tokens at least this similar
SECOND_PASS_SIM = 0.6  # re-aligned leftovers must be at least this similar ...
SECOND_PASS_WINDOW = 40  # ... and this close (truth tokens) to where the first pass put them

Step = tuple[tuple[int, ...], tuple[int, ...]]  # (truth indices, observed indices)


def _dp(truth: Sequence[str], observed: Sequence[str]) -> list[Step]:
    """Global alignment: substitutions cost 2*(1-sim) so tokens less than 40% similar are
    rather deleted+inserted; 1:2 (split) and 2:1 (merge) steps compare the joined tokens."""
    n, m = len(truth), len(observed)
    if not n or not m:
        return [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
    cost = 2.0 * (1.0 - _sim_matrix(truth, observed))
    ok_t = np.array([has_alnum(strip_punct(x)) for x in truth])
    ok_o = np.array([has_alnum(strip_punct(x)) for x in observed])
    if m >= 2:
        joined = [observed[j] + observed[j + 1] for j in range(m - 1)]
        sim = _sim_matrix(truth, joined)
        c12 = np.where(sim >= SPLIT_MIN_SIM, 2.0 * (1.0 - sim) + SPLIT_EXTRA, np.inf)
        c12[~ok_t, :] = np.inf
        c12[:, ~(ok_o[:-1] & ok_o[1:])] = np.inf
    if n >= 2:
        joined = [truth[i] + truth[i + 1] for i in range(n - 1)]
        sim = _sim_matrix(joined, observed)
        c21 = np.where(sim >= SPLIT_MIN_SIM, 2.0 * (1.0 - sim) + SPLIT_EXTRA, np.inf)
        c21[~(ok_t[:-1] & ok_t[1:]), :] = np.inf
        c21[:, ~ok_o] = np.inf
    ramp = np.arange(m + 1, dtype=np.float64) * GAP
    D = np.empty((n + 1, m + 1), dtype=np.float64)
    bt = np.zeros((n + 1, m + 1), dtype=np.int8)
    D[0] = ramp
    bt[0, 1:] = INS
    for i in range(1, n + 1):
        prev = D[i - 1]
        A = prev + GAP
        B = np.full(m + 1, DEL, dtype=np.int8)
        sub = prev[:-1] + cost[i - 1]
        better = sub <= A[1:]  # ties go to the substitution
        A[1:] = np.where(better, sub, A[1:])
        B[1:][better] = SUB
        if m >= 2:
            sp = prev[:-2] + c12[i - 1]
            better = sp < A[2:]
            A[2:] = np.where(better, sp, A[2:])
            B[2:][better] = SPLIT
        if i >= 2:
            mg = D[i - 2, :-1] + c21[i - 2]
            better = mg < A[1:]
            A[1:] = np.where(better, mg, A[1:])
            B[1:][better] = MERGE
        H = np.minimum.accumulate(A - ramp) + ramp  # insertions along the row
        ins = H < A - 1e-9
        B[ins] = INS
        D[i] = H
        bt[i] = B
    steps: list[Step] = []
    i, j = n, m
    while i > 0 or j > 0:
        b = bt[i, j]
        if b == SUB:
            steps.append(((i - 1,), (j - 1,)))
            i, j = i - 1, j - 1
        elif b == DEL:
            steps.append(((i - 1,), ()))
            i -= 1
        elif b == INS:
            steps.append(((), (j - 1,)))
            j -= 1
        elif b == SPLIT:
            steps.append(((i - 1,), (j - 2, j - 1)))
            i, j = i - 1, j - 2
        else:
            steps.append(((i - 2, i - 1), (j - 1,)))
            i, j = i - 2, j - 1
    steps.reverse()
    return steps


def align_tokens(truth: Sequence[str], observed: Sequence[str]) -> list[Step]:
    """Align truth tokens with OCR tokens; steps are (truth indices, observed indices).

    A first global pass aligns in order.  OCR reading order differs from the truth near the
    two-column header and the recipients/signature block, so a second pass re-aligns the
    leftover (deleted truth, inserted OCR) tokens with each other, keeping only steps that
    are similar enough and close to where the first pass left them.
    """
    first = _dp(truth, observed)
    matched = [s for s in first if s[0] and s[1]]
    left_t = [s[0][0] for s in first if not s[1]]
    left_o = [s[1][0] for s in first if not s[0]]
    if not matched or not left_t or not left_o:
        return first
    # approximate truth position of each OCR token: the truth index of the last match before it
    pos = np.zeros(len(observed), dtype=np.int64)
    last, k = 0, 0
    order = sorted(matched, key=lambda s: s[1][0])
    for j in range(len(observed)):
        while k < len(order) and order[k][1][0] <= j:
            last = order[k][0][-1]
            k += 1
        pos[j] = last
    second = _dp([truth[i] for i in left_t], [observed[j] for j in left_o])
    taken_t: set[int] = set()
    taken_o: set[int] = set()
    extra: list[Step] = []
    for st, so in second:
        if not st or not so:
            continue
        ti = tuple(left_t[x] for x in st)
        oj = tuple(left_o[x] for x in so)
        if ti[-1] - ti[0] != len(ti) - 1 or oj[-1] - oj[0] != len(oj) - 1:
            continue  # a split/merge of tokens that are not neighbours in the text
        t_txt = "".join(truth[x] for x in ti)
        o_txt = "".join(observed[x] for x in oj)
        if token_sim(t_txt, o_txt) < SECOND_PASS_SIM or abs(ti[0] - int(pos[oj[0]])) > SECOND_PASS_WINDOW:
            continue
        extra.append((ti, oj))
        taken_t.update(ti)
        taken_o.update(oj)
    if not extra:
        return first
    rest = [s for s in first if not (s[0] and s[0][0] in taken_t and not s[1]) and not (s[1] and s[1][0] in taken_o and not s[0])]
    out = rest + extra

    def where(s: Step) -> tuple[float, float]:
        return (s[0][0], -1) if s[0] else (float(pos[s[1][0]]) + 0.5, s[1][0])

    return sorted(out, key=where)


def align_pairs(truth: Sequence[str], observed: Sequence[str]) -> list[tuple[str | None, str | None]]:
    """``align_tokens`` as text: (truth, observed) per step, None for a gap, joined with a
    space for split (1:2) and merged (2:1) tokens."""
    return [
        (" ".join(truth[i] for i in st) or None, " ".join(observed[j] for j in so) or None)
        for st, so in align_tokens(truth, observed)
    ]


@dataclass
class Tally:
    pairs: Counter  # (truth, observed) 1:1, punctuation stripped, NFC
    splits: Counter  # (truth, observed) with a space on the split/merged side
    truth_tokens: int = 0  # truth tokens with a letter or digit
    aligned: int = 0  # 1:1 pairs recorded
    identical: int = 0
    identical_folded: int = 0  # equal after removing marks / case
    deleted: int = 0  # truth tokens with no OCR counterpart
    inserted: int = 0  # OCR tokens with no truth counterpart
    split_merged: int = 0

    @classmethod
    def empty(cls) -> "Tally":
        return cls(Counter(), Counter())

    def add(self, other: "Tally") -> None:
        self.pairs.update(other.pairs)
        self.splits.update(other.splits)
        for f in ("truth_tokens", "aligned", "identical", "identical_folded", "deleted", "inserted", "split_merged"):
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def figures(self) -> dict[str, float]:
        return {
            "truth_tokens": self.truth_tokens,
            "aligned": self.aligned,
            "identical": self.identical,
            "identical_pct": round(100.0 * self.identical / max(1, self.aligned), 2),
            "identical_folded_pct": round(100.0 * self.identical_folded / max(1, self.aligned), 2),
            "deleted": self.deleted,
            "inserted": self.inserted,
            "split_merged": self.split_merged,
        }


def tokenize(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def tally_alignment(truth_text: str, ocr_text: str) -> Tally:
    """Align two texts and count the pairs (punctuation stripped at token ends)."""
    truth, observed = tokenize(truth_text), tokenize(ocr_text)
    t = Tally.empty()
    t.truth_tokens = sum(1 for x in truth if has_alnum(x))
    for st, so in align_tokens(truth, observed):
        tt = [strip_punct(truth[i]) for i in st]
        oo = [strip_punct(observed[j]) for j in so]
        if not st:
            t.inserted += int(has_alnum(oo[0]))
            continue
        if not so:
            t.deleted += int(has_alnum(tt[0]))
            continue
        if len(st) == 1 and len(so) == 1:
            a, b = tt[0], oo[0]
            if not a:  # punctuation-only truth token
                continue
            if not b:
                t.deleted += 1
                continue
            t.pairs[(a, b)] += 1
            t.aligned += 1
            t.identical += a == b
            t.identical_folded += fold(a) == fold(b)
        else:
            t.splits[(" ".join(x for x in tt if x), " ".join(x for x in oo if x))] += 1
            t.split_merged += 1
    return t


# --------------------------------------------------------------------------- OCR


def _degradation(mode: Mode, seed: int):
    from pipeline.synth.scan import Degradation

    rng = np.random.default_rng(seed)
    return Degradation(
        rotation_deg=float(rng.uniform(-mode.max_rotation, mode.max_rotation)),
        noise=mode.noise,
        blur=mode.blur,
        jpeg_quality=mode.jpeg,
        speckles=mode.speckles,
        background=mode.background,
    )


def ocr_image(image, lang: str, dpi: int) -> str:
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi))
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    res = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", lang, "--psm", "3", "--dpi", str(dpi)],
        input=buf.getvalue(), capture_output=True, env=env, timeout=600,
    )
    if res.returncode != 0:
        raise RuntimeError(f"tesseract failed ({res.returncode}): {res.stderr.decode('utf-8', 'replace')[-500:]}")
    text = unicodedata.normalize("NFC", res.stdout.decode("utf-8").replace("\f", ""))
    return "\n".join(ln.rstrip() for ln in text.splitlines()).strip()


def ocr_document(job: tuple[str, str, str]) -> dict:
    """Render, degrade and OCR one document in one mode (runs in a worker process).

    With a cache directory (``--cache-dir``, outside the tree) the raw OCR of the document is
    kept there, keyed by the mode's settings and the document text, so that re-running with a
    changed alignment does not OCR again."""
    from pipeline.synth.page import render_document
    from pipeline.synth.parse import truth_text
    from pipeline.synth.scan import degrade

    mode_name, path, cache_dir = job
    mode = MODES[mode_name]
    t0 = time.time()
    text = Path(path).read_text(encoding="utf-8")
    stem = Path(path).stem
    truth = truth_text(text)
    cache = None
    if cache_dir:
        key = zlib.crc32(f"{mode!r}\n{text}".encode("utf-8"))
        cache = Path(cache_dir) / mode_name / f"{stem}-{key:08x}.json"
    if cache is not None and cache.exists():
        got = json.loads(cache.read_text("utf-8"))
        n_pages, ocr = got["pages"], got["ocr"]
    else:
        pages = render_document(text, dpi=mode.dpi)
        ocr_pages = []
        for k, page in enumerate(pages):
            seed = _seed(mode.name, stem, k)
            scan = degrade(page, _degradation(mode, seed), seed)
            ocr_pages.append(ocr_image(scan, mode.lang, mode.dpi))
        n_pages, ocr = len(pages), "\n\n".join(ocr_pages) + "\n"
        if cache is not None:
            _atomic_write(cache, json.dumps({"pages": n_pages, "ocr": ocr}, ensure_ascii=False))
    return {
        "mode": mode_name, "path": path, "stem": stem, "pages": n_pages,
        "ocr": ocr, "truth": truth, "tally": tally_alignment(truth, ocr), "seconds": time.time() - t0,
    }


def run_jobs(jobs: list[tuple[str, str, str]], workers: int) -> Iterable[dict]:
    if workers <= 1:
        for j in jobs:
            yield ocr_document(j)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(ocr_document, jobs, chunksize=1)


# --------------------------------------------------------------------------- outputs


def write_tsv(path: Path, counts: Counter, limit_bytes: int | None = MAX_TSV_BYTES) -> int:
    """``truth<TAB>observed<TAB>count`` sorted by count desc; returns the lines written."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))

    def render(rows):
        return "".join(f"{t}\t{o}\t{c}\n" for (t, o), c in rows)

    body = render(items)
    if limit_bytes is not None and len(body.encode("utf-8")) > limit_bytes:
        items = [(k, c) for k, c in items if not (c == 1 and k[0] == k[1])]
        body = render(items)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
    return len(items)


def read_tsv(path: Path) -> Counter:
    out: Counter = Counter()
    for ln in path.read_text(encoding="utf-8").splitlines():
        t, o, c = ln.split("\t")
        out[(t, o)] += int(c)
    return out


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("`", "'")


def write_summary(dict_dir: Path, stats: dict) -> None:
    lines = [
        "# OCR channel pairs",
        "",
        "Made by `scripts/make_ocr_pairs.py`: corpus documents rendered (`pipeline/synth/`),",
        "degraded like scans, OCR'd by Tesseract 5 (`--psm 3`, one thread), and aligned token by",
        "token with their truth text. Only training documents feed `pairs-<mode>.tsv`",
        "(`truth<TAB>observed<TAB>count`, punctuation stripped at token ends, identity pairs",
        "included) and `splits-<mode>.tsv` (tokens split or merged by the OCR, space-joined).",
        "Held-out documents are OCR'd only for evaluation (`corpus/ocr/<mode>/`).",
        "",
        "Identical = truth and OCR token equal; folded = equal once marks and case are removed.",
        "",
    ]
    for name, mode in MODES.items():
        s = stats.get("modes", {}).get(name)
        if not s:
            continue
        f = s["train"]
        lines += [
            f"## {name}",
            "",
            f"Scan: {mode.dpi} DPI, skew <= {mode.max_rotation} deg, noise {mode.noise}, blur {mode.blur}, "
            f"JPEG {mode.jpeg}; `tesseract -l {mode.lang} --psm 3`.",
            "",
            "| | documents | pages | truth tokens | tokens aligned | identical | identical folded | deleted | inserted | split/merged |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| training | {s['train_documents']} | {s['train_pages']} | {f['truth_tokens']} | {f['aligned']} | "
            f"{f['identical_pct']:.1f}% | {f['identical_folded_pct']:.1f}% | {f['deleted']} | {f['inserted']} | {f['split_merged']} |",
        ]
        h = s.get("heldout")
        if h:
            g = h["figures"]
            lines.append(
                f"| held-out (eval only) | {h['documents']} | {h['pages']} | {g['truth_tokens']} | {g['aligned']} | "
                f"{g['identical_pct']:.1f}% | {g['identical_folded_pct']:.1f}% | {g['deleted']} | {g['inserted']} | {g['split_merged']} |"
            )
        pairs_path = dict_dir / f"pairs-{name}.tsv"
        if pairs_path.exists():
            counts = read_tsv(pairs_path)
            top = [(k, c) for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if k[0] != k[1]][:40]
            lines += [
                "",
                f"`pairs-{name}.tsv`: {len(counts)} distinct pairs. Most frequent non-identical pairs:",
                "",
                "| truth | OCR | count |",
                "|---|---|---:|",
            ]
            lines += [f"| {_md_cell(t)} | {_md_cell(o)} | {c} |" for (t, o), c in top]
        lines.append("")
    _atomic_write(dict_dir / "SUMMARY.md", "\n".join(lines))


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    from pipeline.text.corpus import documents

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="redo work whose output exists")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of " + ",".join(MODES))
    ap.add_argument("--limit", type=int, default=None, help="at most N training documents per mode (testing)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dict-dir", type=Path, default=DICT_DIR)
    ap.add_argument("--ocr-dir", type=Path, default=OCR_DIR)
    ap.add_argument("--cache-dir", type=Path, default=None, help="keep raw OCR here (outside the tree) for re-runs")
    args = ap.parse_args(argv)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            ap.error(f"unknown mode {m!r}")

    train_docs = documents(heldout=False)
    held_docs = documents(heldout=True)
    train_names = {p.name for p in train_docs}
    if any(p.name in train_names for p in held_docs):
        raise SystemExit("a document is both held-out and training")
    selection = select_training(train_docs, {m: MODES[m].train_docs for m in MODES})
    if args.limit is not None:
        selection = {m: v[: args.limit] for m, v in selection.items()}
    print(f"corpus: {len(train_docs)} training, {len(held_docs)} held-out documents", flush=True)

    stats_path = args.dict_dir / "stats.json"
    stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
    stats.setdefault("modes", {})

    cache = str(args.cache_dir) if args.cache_dir else ""
    jobs: list[tuple[str, str, str]] = []
    for m in modes:
        pairs_path = args.dict_dir / f"pairs-{m}.tsv"
        if args.force or not pairs_path.exists() or m not in stats["modes"]:
            for p in selection[m]:
                if p.name not in train_names:  # never: held-out documents do not feed the tables
                    raise SystemExit(f"{p.name} is not a training document")
                jobs.append((m, str(p), cache))
        else:
            print(f"{m}: {pairs_path.relative_to(ROOT) if pairs_path.is_relative_to(ROOT) else pairs_path} exists, training skipped (--force to redo)")
        if MODES[m].heldout:
            for p in held_docs:
                out = args.ocr_dir / m / f"{p.stem}.ocr.txt"
                if args.force or not out.exists() or not out.with_name(f"{p.stem}.truth.txt").exists():
                    jobs.append((m, str(p), cache))
    held_paths = {str(p) for p in held_docs}
    print(f"{len(jobs)} document OCR jobs on {args.workers} workers", flush=True)

    train_tally = {m: Tally.empty() for m in modes}
    train_pages = Counter()
    train_count = Counter()
    train_done = {m: [] for m in modes}
    held_tally = {m: Tally.empty() for m in modes}
    held_pages = Counter()
    held_count = Counter()
    held_new = set()
    t0 = time.time()
    for k, r in enumerate(run_jobs(jobs, args.workers), start=1):
        m = r["mode"]
        t: Tally = r["tally"]
        f = t.figures()
        kind = "held-out" if r["path"] in held_paths else "train"
        print(
            f"[{k}/{len(jobs)} {time.time() - t0:6.0f}s] {m:9s} {kind:8s} {r['stem']}: {r['pages']} p, "
            f"{f['aligned']} aligned, {f['identical_pct']:.1f}% identical ({r['seconds']:.0f}s)",
            flush=True,
        )
        if kind == "held-out":
            _atomic_write(args.ocr_dir / m / f"{r['stem']}.ocr.txt", r["ocr"])
            _atomic_write(args.ocr_dir / m / f"{r['stem']}.truth.txt", r["truth"])
            held_tally[m].add(t)
            held_pages[m] += r["pages"]
            held_count[m] += 1
            held_new.add(m)
        else:
            train_tally[m].add(t)
            train_pages[m] += r["pages"]
            train_count[m] += 1
            train_done[m].append(r["stem"])

    for m in modes:
        entry = stats["modes"].get(m, {})
        if train_count[m]:
            tally = train_tally[m]
            n = write_tsv(args.dict_dir / f"pairs-{m}.tsv", tally.pairs)
            write_tsv(args.dict_dir / f"splits-{m}.tsv", tally.splits)
            entry.update(
                train_documents=train_count[m], train_pages=train_pages[m], train=tally.figures(),
                train_stems=sorted(train_done[m]), distinct_pairs=n,
            )
        if m in held_new and held_count[m] == len(held_docs):
            entry["heldout"] = {
                "documents": held_count[m], "pages": held_pages[m], "figures": held_tally[m].figures(),
                "stems": sorted(p.stem for p in held_docs),
            }
        elif m in held_new:
            # some held-out documents were skipped: their figures are in no tally; drop stale ones
            entry.pop("heldout", None)
        if entry:
            stats["modes"][m] = entry
    if any(train_count.values()) or held_new:
        _atomic_write(stats_path, json.dumps(stats, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    write_summary(args.dict_dir, stats)

    for m in modes:
        s = stats["modes"].get(m)
        if not s or "train" not in s:
            continue
        f = s["train"]
        line = (
            f"{m}: training {s['train_documents']} docs, {s['train_pages']} pages, {f['aligned']} tokens aligned, "
            f"{f['identical_pct']:.1f}% identical ({f['identical_folded_pct']:.1f}% folded)"
        )
        if "heldout" in s:
            g = s["heldout"]["figures"]
            line += f"; held-out {s['heldout']['documents']} docs, {g['identical_pct']:.1f}% identical"
        print(line)
    print(f"done in {time.time() - t0:.0f}s; summary: {args.dict_dir / 'SUMMARY.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
