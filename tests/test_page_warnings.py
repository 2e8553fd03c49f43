"""A page that is mostly handwriting, or no document at all, still gives a result: a page warning in
the JSON and the manifest, its words flagged, and the run goes on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline.image import ocr
from pipeline.image.tesseract import OcrWord

from .conftest import HEADER, draw_page, load_valid_json


def scribbles() -> np.ndarray:
    """An A4 page at 300 dpi covered in pen strokes: rows of handwriting no OCR can read."""
    rng = np.random.default_rng(1)
    page = np.full((3508, 2480), 255, np.uint8)
    for row in range(300, 3200, 110):
        x = 250
        while x < 2200:
            points = np.cumsum(rng.integers(-14, 15, (12, 2)), axis=0) + (x, row)
            cv2.polylines(page, [points.astype(np.int32)], False, 0, 4)
            x += int(rng.integers(60, 160))
    return page


def test_warnings_from_what_tesseract_read() -> None:
    blank = np.full((100, 100), 255, np.uint8)
    sure = [OcrWord("Số", 0.96, (0, 0, 10, 10), (1, 1, 1))] * 10
    doubtful = sure[:5] + [OcrWord("#@", 0.3, (0, 0, 10, 10), (1, 1, 1))] * 5
    assert ocr.page_warnings([], blank) == []  # a blank page (the back of a sheet) is no problem
    assert ocr.page_warnings(sure, blank) == []
    assert ocr.page_warnings(doubtful, blank) == [
        "5 of 10 words read with low confidence: handwriting, a photo or not a document; every word is flagged"]
    assert "no text was read" in ocr.page_warnings([], scribbles())[0]


def test_a_page_of_handwriting_gives_a_warning_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(scribbles()).save(src / "viet-tay.png", dpi=(300, 300))
    draw_page(HEADER).save(src / "in-may.png", dpi=(300, 300))
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "process", str(src), "-o", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    written = load_valid_json(out / "viet-tay.json")["pages"][0]
    assert written["warnings"] and "handwriting" in written["warnings"][0]
    assert all(w["flag"] for line in written["lines"] for w in line["words"])
    assert not load_valid_json(out / "in-may.json")["pages"][0].get("warnings")
    manifest = {Path(e["input"]).name: e for e in map(json.loads, (out / "manifest.jsonl").read_text("utf-8").splitlines())}
    assert manifest["viet-tay.png"]["status"] == "ok"
    assert manifest["viet-tay.png"]["warnings"] == [f"page 1: {written['warnings'][0]}"]
    assert manifest["in-may.png"]["warnings"] is None
