"""The handwritten digit reader (pipeline/image/digits.py) on blanks drawn here: OpenCV's script face
stands in for a hand (its strokes are not the training digits'), printed words on either side."""

from __future__ import annotations

from functools import partial

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.image import digits
from pipeline.layout import fillins

SCRIPT = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX
PRINT = cv2.FONT_HERSHEY_SIMPLEX


def blank(value: str, scale: float = 2.2, pen: int = 4, gap: int = 15) -> tuple[np.ndarray, tuple, tuple]:
    """A line `ngay <value> thang` (grey page), the box of the handwriting and the room between the printed words."""
    page = np.full((140, 620), 255, np.uint8)
    cv2.putText(page, "ngay", (10, 90), PRINT, 1.5, 0, 3)
    left = cv2.getTextSize("ngay", PRINT, 1.5, 3)[0][0] + 10
    (width, _), _ = cv2.getTextSize(value, SCRIPT, scale, pen)
    start = left + gap
    cv2.putText(page, value, (start, 95), SCRIPT, scale, 0, pen)
    cv2.putText(page, "thang", (start + width + gap, 90), PRINT, 1.5, 0, 3)
    return page, (start, 50, start + width, 98), (left, start + width + gap)


@pytest.mark.parametrize("value", ["27", "15", "2191", "08", "31", "46", "5710", "16", "09", "20", "3", "12", "84", "11", "7", "30"])
@pytest.mark.parametrize("scale,pen", [(2.0, 3), (2.6, 6)])
def test_handwritten_digits_between_printed_words_are_read(value: str, scale: float, pen: int) -> None:
    page, box, room = blank(value, scale, pen)
    reading = digits.read(page, box, room)
    assert reading.digits == value
    assert 0 < reading.conf <= 1


def test_the_printed_words_around_the_blank_are_not_digits() -> None:
    page, box, room = blank("4", gap=4)  # the printed words close against the handwriting
    assert digits.read(page, box, room).digits == "4"


def test_an_empty_blank_reads_nothing() -> None:
    page, box, room = blank("", gap=40)
    assert digits.read(page, box, room) == digits.Reading("", 0.0)


def test_a_glyph_is_framed_upright_whatever_its_slant() -> None:
    stroke = np.zeros((60, 40), np.uint8)
    cv2.line(stroke, (35, 2), (5, 57), 255, 5)  # a 1 leaning right
    frame = digits.upright(stroke > 0)
    columns = np.nonzero(frame.sum(axis=0) > 0.5)[0]
    assert frame.shape == (digits.SIZE, digits.SIZE) and columns.max() - columns.min() <= 6
    assert digits.classify([frame])[0].digits[0][0] == 1


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 90), st.integers(1, 200))), st.integers(0, 200), st.integers(0, 200))
def test_any_crop_reads_digits_only_and_never_crashes(page: np.ndarray, a: int, b: int) -> None:
    h, w = page.shape
    box = (min(a, w - 1), 0, min(a + 30, w), h)
    reading = digits.read(page, box, (box[0], min(b + box[0], w)))
    assert reading.digits.isdigit() or reading.digits == ""
    assert len(reading.digits) <= 12 and 0.0 <= reading.conf <= 1.0
    day = digits.read(page, box, (box[0], min(b + box[0], w)), partial(fillins.valid, "day"))
    assert day.digits == "" or fillins.valid("day", day.digits)


def test_the_field_decides_between_a_glyphs_readings() -> None:
    page, box, room = blank("27")
    runner_up = digits.read(page, box, room, lambda d: d != "27")
    assert runner_up.digits not in ("", "27")  # a runner-up taken
    assert digits.read(page, box, room, lambda d: False) == digits.Reading("", 0.0)
    read = digits.read(page, box, room)
    assert read.others and runner_up.digits in read.others  # the next readings, for the field and the clerks
    assert read.digits not in read.others and len(set(read.others)) == len(read.others) <= digits.OTHERS


def test_two_touching_digits_are_tried_cut_at_several_thin_columns() -> None:
    pair = np.zeros((40, 60), bool)
    pair[:, 5:9] = pair[:, 40:44] = True  # two strokes joined by a bar, thinnest where the bar is alone
    pair[20:23, 9:40] = True
    cuts = digits._halves(pair)
    assert 1 < len(cuts) <= digits.CUTS
    assert all(left.any() and right.any() for left, right in cuts)
    widths = [left.shape[1] for left, _ in cuts]
    assert len(set(widths)) == len(widths) and min(widths) >= 15 - 6 and max(widths) <= 45  # in the middle half, apart
    assert digits._halves(np.ones((40, 20), bool)) == []  # narrower than tall: one digit


def touching(value: str, scale: float = 2.4, pen: int = 6) -> tuple[np.ndarray, tuple, tuple]:
    """A blank written by hand with its digits drawn close enough to touch (one stroke of ink), printed words around."""
    page = np.full((140, 620), 255, np.uint8)
    cv2.putText(page, "ngay", (10, 90), PRINT, 1.5, 0, 3)
    start = end = cv2.getTextSize("ngay", PRINT, 1.5, 3)[0][0] + 30
    for digit in value:
        alone = np.full_like(page, 255)
        cv2.putText(alone, digit, (0, 95), SCRIPT, scale, 0, pen)
        ink = np.nonzero((alone < 128).any(axis=0))[0]
        x = end - int(ink.min()) - (pen // 2 if end > start else 0)  # its first stroke touching the last one's
        page[:, x : x + int(ink.max()) + 1] = np.minimum(page[:, x : x + int(ink.max()) + 1], alone[:, : int(ink.max()) + 1])
        end = x + int(ink.max()) + 1
    cv2.putText(page, "thang", (end + 15, 90), PRINT, 1.5, 0, 3)
    return page, (start, 50, end, 98), (start - 20, end + 15)


@pytest.mark.parametrize("value", ["20", "46", "10", "35"])
def test_two_digits_that_touch_are_read_as_two(value: str) -> None:
    page, box, room = touching(value)
    mask = digits._ink(page[:, room[0] : room[1]])
    assert cv2.connectedComponents(mask.astype(np.uint8))[0] == 2  # one glyph: the background and one stroke
    assert digits.read(page, box, room).digits == value


def test_a_room_whose_end_is_a_guess_follows_the_stroke_it_cuts() -> None:
    page, box, room = blank("20", gap=4)
    cut = (room[0], box[2] - (box[2] - box[0]) // 4)  # the end guessed from a glued word's letters falls inside the 0
    assert digits.read(page, box[:2] + (cut[1], box[3]), cut).digits != "20"
    assert digits.read(page, box[:2] + (cut[1], box[3]), cut, loose_end=True).digits == "20"
