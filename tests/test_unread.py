"""Print Tesseract's layout analysis left unread, read again (pipeline/image/unread.py): real Tesseract
on a signature block drawn here, a seal's ring over it as a 1-bit scan has it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.image import unread
from pipeline.image.tesseract import OcrWord, run_tesseract

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
REGULAR = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def page(ring: bool = True) -> np.ndarray:
    """A 300-dpi page: a signature block on the right half, a black seal's ring over its left edge."""
    image = Image.new("L", (2400, 3300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 50)
    for x, y, text in ((1500, 100, "KT. CHỦ TỊCH"), (1500, 170, "PHÓ CHỦ TỊCH"), (1560, 540, "Phạm Trường Thọ")):
        draw.text((x, y), text, font=font, fill=0)
    if ring:
        draw.ellipse((1150, 80, 1650, 580), outline=0, width=28)
        draw.ellipse((1300, 230, 1500, 430), fill=0)
    return np.asarray(image)


@pytest.mark.slow
def test_a_block_nothing_read_is_read_again() -> None:
    gray = page()
    found = unread.reread(gray, [], 300, "vie")
    text = " ".join(w.text for w in found)
    assert "Phạm Trường Thọ" in text and "TỊCH" in text
    assert all(w.key[0] >= unread.REGION_BLOCKS for w in found)
    assert all(0 <= w.box[0] < w.box[2] <= gray.shape[1] and 0 <= w.box[1] < w.box[3] <= gray.shape[0] for w in found)


@pytest.mark.slow
def test_words_read_before_are_not_read_twice() -> None:
    gray = page(ring=False)
    before = run_tesseract(gray, "vie", 3, 300)
    after = unread.reread(gray, before, 300, "vie")
    again = [w for w in after if w not in before]
    assert all(w in after for w in before)
    assert not any(min(a.box[2], b.box[2]) > max(a.box[0], b.box[0]) and min(a.box[3], b.box[3]) > max(a.box[1], b.box[1])
                   for a in again for b in before)


@pytest.mark.slow
def test_a_line_read_again_replaces_words_tesseract_doubted() -> None:
    """The first reading made `ZZ _.` of the title under the seal's ring: the title read again replaces it; a word
    Tesseract was sure of stays, and what overlaps it is not added."""
    gray = page()
    doubted = [OcrWord("ZZ", 0.3, (1500, 105, 1640, 150), (7, 1, 1)), OcrWord("_.", 0.0, (1650, 100, 1800, 150), (7, 1, 1))]
    sure = OcrWord("Phạm", 0.96, (1560, 540, 1700, 600), (8, 1, 1))
    after = unread.reread(gray, [*doubted, sure], 300, "vie")
    assert not any(w in after for w in doubted) and sure in after
    assert "CHỦ TỊCH" in " ".join(w.text for w in after)
    assert [w.text for w in after if unread._overlaps(w.box, [sure.box])] == ["Phạm"]


def test_ink_that_is_no_print_gives_no_words() -> None:
    gray = np.full((3300, 2400), 255, np.uint8)
    gray[100:700, 300:900] = 0  # a picture's dark area
    gray[200:210, 1000:2300] = 0  # a rule
    assert unread.reread(gray, [], 300, "vie") == []
    assert unread.regions(gray, [OcrWord("x", 0.9, (300, 100, 900, 700), (1, 1, 1))], 300) == []


@pytest.mark.slow
def test_a_name_whose_first_letters_a_stroke_took_is_read_whole() -> None:
    """Tesseract read `m Trường Thọ` (a signature's stroke over `Phạ`): the name is read again, from a little
    further left, and its first word comes back."""
    gray = page(ring=False)
    read = run_tesseract(gray, "vie", 3, 300)
    name = [w for w in read if w.text in ("Phạm", "Trường", "Thọ")]
    assert [w.text for w in name] == ["Phạm", "Trường", "Thọ"]
    first = name[0]
    cut = OcrWord("m", 0.6, (first.box[2] - (first.box[2] - first.box[0]) // 3, *first.box[1:]), first.key)
    words = [cut if w is first else w for w in read]
    assert " ".join(w.text for w in unread.whole_names(gray, words, 300, "vie") if w.key == first.key) == "Phạm Trường Thọ"
    assert unread.whole_names(gray, read, 300, "vie") == read  # a name read whole is not read again


@pytest.mark.parametrize(
    ("line", "cut"),
    [("m Trường Thọ", 1), ("rần n Ngọc Căng", 2), ("Phạm Trường Thọ", 0), ("và các cơ quan", 0), ("ký Quyết Định Này Ngay Hôm Nay", 0)],
)
def test_only_a_name_line_opening_with_small_pieces_is_taken_for_a_cut_name(line: str, cut: int) -> None:
    words = [OcrWord(t, 0.9, (100 * i, 0, 100 * i + 90, 40), (1, 1, 1)) for i, t in enumerate(line.split())]
    assert unread._cut_head(words) == cut


def test_a_region_takes_in_the_title_and_the_name_beside_a_stroke() -> None:
    """A signature's stroke is a region; the title above it and the name under it, too small to be regions of their
    own, are read with it, whole."""
    image = Image.new("L", (2400, 3300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 50)
    draw.text((1500, 1000), "CHỦ TỊCH", font=font, fill=0)
    draw.line([(1400, 1300), (1700, 1120), (1650, 1260), (1900, 1150)], fill=0, width=12)
    draw.text((1450, 1330), "Nguyễn Hoàng Giang", font=font, fill=0)
    gray = np.asarray(image)
    (x0, y0, x1, y1), = unread.regions(gray, [], 300)
    assert x0 <= 1450 and y0 <= 1000 and x1 >= 1900 and y1 >= 1395


def test_a_name_read_again_opens_with_the_word_the_stroke_took() -> None:
    """Specks before the name read again are passed over; its other words are compared by their letters alone."""
    read = [OcrWord(t, c, (0, 0, 1, 1), (1, 1, 1)) for t, c in ((">-", 0.52), ("Trần", 0.94), ("Phước", 0.97), ("Hiển", 0.82))]
    rest = [unread._letters(t) for t in ("Phước", "Hiền")]
    assert unread._first_word(read, rest).text == "Trần"
    assert unread._first_word(read[1:3], rest) is None  # not the same words after it
    assert unread._first_word([OcrWord("Trần", 0.5, (0, 0, 1, 1), (1, 1, 1)), *read[2:]], rest) is None  # not sure of it


def signed(name_y: int) -> np.ndarray:
    """A 300-dpi page: a title, a signature's strokes under it, the signer's name under them."""
    image = Image.new("L", (2400, 3300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 50)
    draw.text((1500, 400), "PHÓ CHỦ TỊCH", font=font, fill=0)
    draw.line([(1450, 600), (1550, 520), (1600, 640), (1680, 510), (1760, 630), (1900, 560)], fill=0, width=6)
    draw.text((1540, name_y), "Hồ Sỹ Lâm", font=font, fill=0)
    return np.asarray(image)


@pytest.mark.slow
def test_a_signers_name_left_unread_under_the_title_is_read_again() -> None:
    """Tesseract read the title and nothing under it (the strokes beside the name made the block a picture): the
    name is read again there, once; a name already read, or one too far below the title, is left as it is."""
    gray = signed(760)
    title = [OcrWord(t, 0.95, (x0, 400, x1, 450), (3, 1, 1)) for t, x0, x1 in (("PHÓ", 1500, 1610), ("CHỦ", 1625, 1735), ("TỊCH", 1750, 1880))]
    after = unread.signer_below(gray, title, 300, "vie")
    added = after[len(title):]
    assert after[: len(title)] == title and " ".join(w.text for w in added) == "Hồ Sỹ Lâm"
    assert all(w.key[0] >= unread.SIGNER_BLOCKS and 700 < w.box[1] < 860 for w in added)
    assert unread.signer_below(gray, after, 300, "vie") == after
    far = signed(1200)
    assert unread.signer_below(far, title, 300, "vie") == title


def test_a_line_read_again_loses_the_doubted_marks_at_its_ends_but_not_a_crossed_word() -> None:
    """A seal's ring read beside `ĐỀN TỊCH` (`CS`) is no part of it; `` `xNguyễn `` before a name Tesseract is sure of
    is its first word, which the signature's stroke crossed: it stays, and the line is judged by its sure words."""

    def words(*read: tuple[str, float]) -> list[OcrWord]:
        return [OcrWord(text, conf, (100 * k, 0, 100 * k + 90, 40), (1, 1, 1)) for k, (text, conf) in enumerate(read)]

    title = words(("CS", 0.14), ("ĐỀN", 0.85), ("TỊCH", 0.96), ("ằ", 0.1))
    assert unread._trimmed(title) == (title[1:3], title[1:3])
    name = words(("ề.", 0.36), ("`xNguyễn", 0.25), ("Hoàng", 0.96), ("Giang", 0.96))
    assert unread._trimmed(name) == (name[1:], name[2:])
    for whole in (words(("xã", 0.9), ("*", 0.91), ("H", 0.86), ("Ấ", 0.41)), words(("Nà", 0.0), ("Z4", 0.25))):
        assert unread._trimmed(whole) == (whole, whole)  # judged whole, as before: too little print is sure


def test_a_line_read_again_replaces_sure_words_it_reads_too() -> None:
    """`hước Hiên` (the seal cut the P) under the name read again as `frân Phước Hiền`: each sure word's letters are
    in a word of the new line, marks aside, so the new line replaces them; a word it does not read stays."""
    again = [OcrWord(t, c, (100 * k, 0, 100 * k + 90, 40), (1, 1, 1)) for k, (t, c) in enumerate([("frân", 0.52), ("Phước", 0.96), ("Hiền", 0.87)])]
    assert unread._read_again(OcrWord("hước", 0.96, (100, 0, 190, 40), (1, 1, 1)), again)
    assert unread._read_again(OcrWord("Hiên", 0.95, (200, 0, 290, 40), (1, 1, 1)), again)
    assert not unread._read_again(OcrWord("Giang", 0.95, (200, 0, 290, 40), (1, 1, 1)), again)
    assert not unread._read_again(OcrWord("„", 0.95, (200, 0, 290, 40), (1, 1, 1)), again)


def header() -> np.ndarray:
    """A 300-dpi issuer block, centred: its first line's last word wrapped onto a short line of its own."""
    image = Image.new("L", (1500, 600), 255)
    draw = ImageDraw.Draw(image)
    lines = (
        (200, "HUYỆN ỦY - HĐND - UBND HUYỆN NGHĨA", REGULAR), (248, "ĐÀN", REGULAR),
        (296, "ỦY BAN NHÂN DÂN THỊ TRẤN NGHĨA ĐÀN", FONT), (400, "Số: 42/BC-UBND", REGULAR),
    )
    for y, text, face in lines:
        font = ImageFont.truetype(face, 42)
        draw.text((700 - draw.textlength(text, font=font) / 2, y), text, font=font, fill=0)
    return np.asarray(image)


@pytest.mark.slow
def test_a_short_line_a_box_above_stretched_over_is_read_again() -> None:
    """Tesseract took the short line `ĐÀN` into the boxes of the words above it and read it nowhere: it is read
    again, as a line of its own, where it stands; the words read before stay as they are."""
    gray = header()
    read = run_tesseract(gray, "vie", 3, 300)
    short = [w for w in read if w.text == "ĐÀN" and w.box[3] < 290]
    assert len(short) == 1, "Tesseract reads the drawn header as three lines"
    bottom = short[0].box[3]
    before = [
        OcrWord(w.text, w.conf, (*w.box[:3], bottom) if w.text in ("UBND", "HĐND") and w.box[1] < 240 else w.box, w.key)
        for w in read if w is not short[0]
    ]
    after = unread.skipped_lines(gray, before, 300, "vie")
    assert after[: len(before)] == before
    added = after[len(before):]
    assert [w.text for w in added] == ["ĐÀN"]
    assert unread._overlaps(added[0].box, [short[0].box]) and added[0].key[0] > unread.SKIPPED_BLOCKS


@pytest.mark.slow
def test_a_page_read_whole_gains_no_line_nor_a_word_whose_box_was_drawn_short() -> None:
    """Every line read: nothing is added. A word of a line read with a box that covers only its last letter
    (as Tesseract draws some on a photo) is not read a second time from the ink left uncovered."""
    gray = header()
    read = run_tesseract(gray, "vie", 3, 300)
    assert unread.skipped_lines(gray, read, 300, "vie") == read
    short = [OcrWord(w.text, w.conf, (w.box[2] - 12, *w.box[1:]), w.key) if w.text == "TRẤN" else w for w in read]
    assert unread.skipped_lines(gray, short, 300, "vie") == short


def test_a_box_stretched_over_the_line_under_is_held_to_its_neighbours_height() -> None:
    line = [OcrWord("HĐND", 0.9, (538, 210, 656, 238), (1, 1, 1)), OcrWord("UBND", 0.9, (694, 210, 810, 286), (1, 1, 1)),
            OcrWord("HUYỆN", 0.9, (823, 202, 968, 245), (1, 1, 1))]
    (words, boxes), = unread._line_bound(line)
    assert words == line
    assert boxes[0] == line[0].box and boxes[2] == line[2].box
    assert boxes[1][1] == 210 and boxes[1][3] < 250
