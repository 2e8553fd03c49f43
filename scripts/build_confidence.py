"""Fit repair's confidence (`dictionaries/confidence.json`) on held-out renders (`make dictionaries`).

The held-out documents of the corpus are rendered and degraded exactly as
scripts/make_ocr_pairs.py does for its `eng` (an OCR without Vietnamese) and
`vie` (150 DPI, noisy) modes, and read by Tesseract with its word
confidences (cached in build/confidence/, a few minutes a mode). Each
document is repaired twice, as an image (Tesseract's confidences known) and
as text (none), and once more with every mark removed, as a text and (the
`vie` renders) as a scan; each repaired word is labelled right or wrong
against the truth. One logistic regression per group of words
(`pipeline/text/confidence.py`: mode, image or text) is fitted on all of
them, with the flag thresholds. `scripts/eval_repair.py` reports the same
procedure cross-validated by document: fitted on one half of the documents
(by a hash of the name) and measured on the other, both ways round, so no
figure comes from words the calibration was fitted on.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from pipeline.text import confidence  # noqa: E402
from pipeline.text.corpus import documents  # noqa: E402
from pipeline.text.repair import TokenRepair  # noqa: E402
from pipeline.text.vietnamese import fold, normalize_text  # noqa: E402

CACHE = ROOT / "build" / "confidence"
MODES = ("eng", "vie")  # the calibration's renders: make_ocr_pairs's modes
POOR_ENG = "eng-poor"  # the vie mode's poor page (150 DPI, noise, blur) read without Vietnamese: make_ocr_pairs trains on it, the evaluation reads the held-out documents so
MIN_WORDS = 2000  # a group with fewer words takes its mode's text calibration
NEAR = 80  # tokens either side where a word read out of order still counts as read right: a two-column block (the header, the signature beside the recipients)


def is_first_half(stem: str) -> bool:
    """The two folds of the held-out documents: scripts/eval_repair.py fits on one and checks on the other, both ways."""
    return zlib.crc32(stem.encode("utf-8")) % 2 == 0


def ocr_words(job: tuple[str, str]) -> dict:
    """Render, degrade and read one held-out document: truth text and, per paragraph, (word, conf)."""
    import make_ocr_pairs as pairs

    from pipeline.image.tesseract import run_tesseract
    from pipeline.synth.page import render_document
    from pipeline.synth.parse import truth_text
    from pipeline.synth.scan import degrade

    mode_name, path = job
    mode = pairs.MODES[mode_name]
    text = Path(path).read_text("utf-8")
    stem = Path(path).stem
    paragraphs: list[list[tuple[str, float]]] = []
    for k, page in enumerate(render_document(text, dpi=mode.dpi)):
        seed = pairs._seed(mode.name, stem, k)
        scan = degrade(page, pairs._degradation(mode, seed), seed)
        last = None
        for w in run_tesseract(np.asarray(scan.convert("L")), lang=mode.lang, psm=3, dpi=mode.dpi):
            key = w.key[:2]
            if key != last:
                paragraphs.append([])
                last = key
            paragraphs[-1].append((w.text, round(w.conf, 3)))
    return {"mode": mode_name, "stem": stem, "truth": truth_text(text), "paragraphs": paragraphs}


def read_renders(modes: tuple[str, ...] = MODES, workers: int = 2) -> list[dict]:
    """Every held-out document read in each mode, from the cache or by Tesseract now."""
    jobs = [(m, str(p)) for m in modes for p in documents(heldout=True)]
    todo = [j for j in jobs if not _cache_path(*j).exists()]
    if todo:
        print(f"reading {len(todo)} held-out renders with Tesseract (cached in {CACHE})", file=sys.stderr)
        with ProcessPoolExecutor(workers) as pool:
            for got in pool.map(ocr_words, todo):
                path = _cache_path(got["mode"], got["stem"])
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(got, ensure_ascii=False), "utf-8")
    return [json.loads(_cache_path(*j).read_text("utf-8")) for j in jobs]


def _cache_path(mode: str, path: str) -> Path:
    return CACHE / mode / f"{Path(path).stem}.json"


Labelled = list[tuple[TokenRepair, bool]]  # a repaired word (with its evidence) and whether it is right


def labelled(repairer, render: dict, with_conf: bool) -> Labelled:
    """The repaired words of one render, each right or wrong against the truth (`results_right`, NEAR words
    around: a word the OCR made up is wrong too)."""
    from eval_repair import results_right, strip_token

    from pipeline.text.repair import Params

    paragraphs = [[w for w, _ in para] for para in render["paragraphs"]]
    confs = [[c for _, c in para] if with_conf else None for para in render["paragraphs"]]
    params = Params.estimate([w for para in paragraphs for w in para], repairer.lexicon)
    out = [r for results in repairer.repair_paragraphs(paragraphs, params, confs) for r in results if strip_token(r.text)]
    right = results_right(normalize_text(render["truth"]), out, NEAR)
    return [(out[k], ok) for k, ok in right.items() if out[k].evidence is not None]


def without_marks(render: dict) -> dict:
    """A render as read by an OCR that drops every mark (a scan whose marks are lost), Tesseract's confidences kept."""
    return render | {"paragraphs": [[(fold(w), c) for w, c in para] for para in render["paragraphs"]]}


def labelled_folded(repairer, path: Path) -> Labelled:
    """A held-out document with every mark removed, repaired as a whole, labelled."""
    from pipeline.text.repair import Params

    lines = [normalize_text(raw.strip()) for raw in path.read_text("utf-8").splitlines() if raw.strip()]
    folded = [fold(line).split() for line in lines]
    params = Params.estimate([t for line in folded for t in line], repairer.lexicon)
    out = []
    for results, line in zip(repairer.repair_paragraphs(folded, params), lines):
        out += [(r, r.text == t) for r, t in zip(results, line.split()) if r.evidence is not None]
    return out


def collect(repairer, half: bool | None = None) -> dict[str, Labelled]:
    """Labelled words per kind of input, from one half of the held-out documents (`is_first_half`), or all."""
    data: dict[str, Labelled] = {}
    for render in read_renders():
        if half is not None and is_first_half(render["stem"]) != half:
            continue
        data.setdefault(f"{render['mode']} image", []).extend(labelled(repairer, render, True))
        data.setdefault(f"{render['mode']} text", []).extend(labelled(repairer, render, False))
        if render["mode"] == "vie":
            data.setdefault("folded image", []).extend(labelled(repairer, without_marks(render), True))
    for path in documents(heldout=True):
        if half is None or is_first_half(path.stem) == half:
            data.setdefault("folded text", []).extend(labelled_folded(repairer, path))
    return data


def calibrate(data: dict[str, Labelled]) -> confidence.Calibration:
    """The calibration fitted on labelled words (evidence from a repairer without calibration), with its flag thresholds."""
    pairs = [pair for kind in data.values() for pair in kind]
    evidence = [r.evidence for r, _ in pairs]
    fitted = confidence.Calibration(fit_groups(evidence, np.array([ok for _, ok in pairs])))
    return confidence.Calibration(fitted.coef, confidence.thresholds(fitted, evidence))


def fit_groups(evidence: list[confidence.Evidence], right: np.ndarray) -> tuple[tuple[str, tuple[float, ...]], ...]:
    """One logistic regression per group (mode; image or text) with enough words to fit it."""
    groups = np.array([e.group for e in evidence])
    out = []
    for group in confidence.GROUPS:
        chosen = np.flatnonzero(groups == group)
        if len(chosen) >= MIN_WORDS:
            out.append((group, tuple(confidence.fit([evidence[i] for i in chosen], right[chosen]).tolist())))
    return tuple(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=confidence.CONFIDENCE_PATH)
    args = parser.parse_args()
    from pipeline.text.repair import Repairer

    data = collect(Repairer(calibration=confidence.Calibration.identity()))
    calibrate(data).save(args.out, {"fitted on": {kind: len(v) for kind, v in data.items()}})
    print(f"confidence: fitted on {sum(map(len, data.values()))} words ({', '.join(f'{k} {len(v)}' for k, v in data.items())}); {args.out}")


if __name__ == "__main__":
    main()
