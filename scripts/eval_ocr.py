"""OCR accuracy on the project's own rendered samples, per sample, model and preprocessing setting.

Prints Tesseract's character error rate (CER) and syllable accuracy against the
truth text (samples/truth/), with repair off, so that each preprocessing step
and each model is measured on its own; the last setting adds repair (the whole pipeline).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_repair import ocr_accuracy  # noqa: E402

from pipeline.flow import read_document  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.text.vietnamese import normalize_text  # noqa: E402

SETTINGS = [  # model, preprocessing, repair
    ("vie", (), False),
    ("vie", ("border",), False),
    ("vie", ("border", "deskew"), False),
    ("vie", ("border", "deskew", "denoise"), False),
    ("vie", ("border", "deskew", "binarize"), False),
    ("vie", ("border", "deskew", "denoise", "binarize"), False),
    ("Vietnamese", ("border", "deskew"), False),
    ("Vietnamese", ("border", "deskew", "denoise", "binarize"), False),
    ("vie", ("border", "deskew", "denoise", "binarize"), True),
]


def main() -> None:
    samples = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in (".pdf", ".png", ".jpg", ".tif"))
    print(f"{'sample':24} {'model':11} {'preprocess':28} {'repair':6} {'CER':>7} {'syllables':>9} {'s/page':>7}")
    for sample in samples:
        truth_path = ROOT / "samples" / "truth" / (sample.stem + ".txt")
        if not truth_path.exists():
            continue
        truth = normalize_text(truth_path.read_text("utf-8"))
        for lang, steps, repair in SETTINGS:
            start = time.perf_counter()
            doc = read_document(sample, Settings(lang=lang, preprocess=steps, repair=repair, page_images=False))
            seconds = (time.perf_counter() - start) / max(1, len(doc.pages))
            text = normalize_text(" ".join(line.text if repair else line.ocr_text for line in doc.lines()))
            cer = Levenshtein.distance(" ".join(truth.split()), " ".join(text.split())) / max(1, len(" ".join(truth.split())))
            right, total, _, _ = ocr_accuracy(truth, text)
            print(f"{sample.name:24} {lang:11} {','.join(steps) or 'none':28} {'on' if repair else 'off':6} {100 * cer:6.2f}% {100 * right / total:8.2f}% {seconds:7.2f}")


if __name__ == "__main__":
    main()
