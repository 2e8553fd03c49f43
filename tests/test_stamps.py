"""Received stamps: a ruled frame of a stamp's size whose words name it; the words inside are kept apart."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.image import stamps
from pipeline.image.tesseract import OcrWord


def _page(frame: tuple[int, int, int, int], open_bottom: bool = False) -> np.ndarray:
    page = np.full((1500, 2400), 255, np.uint8)
    x0, y0, x1, y1 = frame
    cv2.line(page, (x0, y0), (x1, y0), 0, 4)
    cv2.line(page, (x0, y0), (x0, y1), 0, 4)
    cv2.line(page, (x1, y0), (x1, y1), 0, 4)
    if not open_bottom:
        cv2.line(page, (x0, y1), (x1, y1), 0, 4)
    cv2.line(page, (300, 200), (900, 200), 0, 3)  # a rule under a heading: no frame
    return page


def _word(text: str, x: int, y: int) -> OcrWord:
    return OcrWord(text, 0.9, (x, y, x + 25 * len(text), y + 40), (1, 1, 1))


def test_a_received_stamp_keeps_its_words_apart() -> None:
    page = _page((100, 600, 700, 850), open_bottom=True)
    words = [_word("CV", 130, 640), _word("ĐẾN", 130, 720), _word("Số:", 300, 640), _word("2352", 400, 640),
             _word("Chuyển:", 300, 780), _word("Trong", 720, 780), _word("thời", 880, 780)]
    kept, found = stamps.received(page, words, 300)
    assert [w.text for w in kept] == ["Trong", "thời"]
    assert found == [{"bbox": found[0]["bbox"], "text": "CV Số: 2352 ĐẾN Chuyển:"}]
    assert found[0]["bbox"][0] <= 100 and found[0]["bbox"][2] >= 700


def test_a_framed_box_that_names_no_stamp_keeps_its_words() -> None:
    page = _page((100, 600, 700, 850))
    words = [_word("Ghi", 130, 640), _word("chú:", 250, 640), _word("bảng", 130, 720)]
    kept, found = stamps.received(page, words, 300)
    assert kept == words and found == []
