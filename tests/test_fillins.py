"""Handwritten fill-ins of the header (layout.fillins): the blanks found, the words they become."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.layout import fillins
from pipeline.layout.marks import spell_date_words
from pipeline.layout.patterns import find_date
from pipeline.model import Line, Word


def line(*words: tuple[str, int, int], y: int = 400, lid: str = "p1-l3") -> Line:
    """A line of words, each given as (text, x0, x1), 50 px high."""
    made = [Word(f"{lid}-w{i}", t, t, 0.95, 1, lid, (x0, y, x1, y + 50)) for i, (t, x0, x1) in enumerate(words)]
    return Line(lid, 1, made, (made[0].bbox[0], y, made[-1].bbox[2], y + 50))


def test_a_handwritten_number_read_as_garbage_becomes_one_flagged_word() -> None:
    ln = line(("Số:", 420, 500), ("Ø2", 515, 560), ("#", 570, 600), ("/CT-UBND", 610, 880))
    (slot,) = fillins.slots([ln], 3500)
    assert (slot.field, slot.read, slot.bbox) == ("number", "Ø2 #", (515, 400, 600, 450))
    word = fillins.fill(slot, "05", 0.48)
    assert [w.text for w in ln.words] == ["Số:", "05", "/CT-UBND"]
    assert (word.ocr, word.conf, word.flag, word.fill_in, word.bbox) == ("Ø2 #", 0.48, True, "number", (515, 400, 600, 450))
    assert word.id == "p1-l3-w1"


def test_a_number_glued_to_its_symbol_is_cut_from_it() -> None:
    ln = line(("SỐ:", 434, 500), ("2/0]/CT-CS", 520, 720))
    (slot,) = fillins.slots([ln], 3500)
    assert slot.head == "2/0]" and slot.bbox == (520, 400, 600, 450)
    fillins.fill(slot, "7", 0.05)  # a reading this unsure is no reading
    assert [(w.text, w.fill_in) for w in ln.words] == [("SỐ:", None), ("", "number"), ("/CT-CS", None)]
    assert ln.words[2].bbox[0] == 600


def test_handwriting_read_with_a_slash_before_the_symbol() -> None:
    """`Số: /đó /VBHN-BQP`: the symbol is the hyphenated code; the handwriting before it, read with a slash, is the blank."""
    ln = line(("Số:", 420, 500), ("/đó", 515, 580), ("/VBHN-BQP", 600, 880))
    (slot,) = fillins.slots([ln], 3500)
    assert (slot.read, slot.bbox) == ("/đó", (515, 400, 580, 450))
    fillins.fill(slot, "46", 0.7)
    assert ln.text == "Số: 46 /VBHN-BQP"


def test_handwriting_inside_the_labels_box_is_the_blank() -> None:
    """Tesseract read `Số:11` as `Số:` alone (confidence 0), its box reaching over the handwriting."""
    wide = line(("Số:", 240, 400), ("/CT-UBND", 420, 660))
    (slot,) = fillins.slots([wide], 3500)
    assert (slot.read, slot.bbox, slot.room) == ("", (310, 400, 420, 450), (310, 420))
    fillins.fill(slot, "11", 0.8)
    assert wide.text == "Số: 11 /CT-UBND" and wide.words[0].bbox == (240, 400, 310, 450)
    assert fillins.slots([line(("Số:", 240, 300), ("/CT-UBND", 310, 550))], 3500) == []  # the label's own width, no room


def test_an_empty_blank_with_room_for_a_number() -> None:
    ln = line(("Số:", 420, 500), ("/BC-UBND", 640, 900))
    (slot,) = fillins.slots([ln], 3500)
    assert slot.read == "" and slot.bbox == (500, 400, 640, 450)
    word = fillins.fill(slot, "23", 0.41)
    assert word.id == "p1-l3-number" and [w.text for w in ln.words] == ["Số:", "23", "/BC-UBND"]


def test_the_day_and_month_of_the_date_line() -> None:
    ln = line(("Quảng", 1208, 1320), ("Ngãi,", 1330, 1440), ("ngày/{5", 1450, 1640), ("tháng", 1650, 1760),
              ("Ø1", 1770, 1820), ("năm", 1830, 1920), ("2025", 1930, 2040))
    month, day = fillins.slots([ln], 3500)  # right to left: filling one leaves the other's place
    assert (day.field, day.read, day.tail) == ("day", "/{5", "/{5") and not day.loose_end  # `tháng` stood apart
    assert (month.field, month.read) == ("month", "Ø1")
    fillins.fill(month, "01", 0.6)
    fillins.fill(day, "", 0.0)
    assert " ".join(w.text for w in ln.words if w.text) == "Quảng Ngãi, ngày tháng 01 năm 2025"
    assert find_date("Quảng Ngãi, ngày tháng 01 năm 2025").iso is None  # the date is unread, not wrong
    assert [f["field"] for f in fillins.fill_ins([w for w in ln.words])] == ["day", "month"]


def test_handwriting_glued_to_the_months_label_is_the_days_blank() -> None:
    glued = line(("Đà", 840, 880), ("Nẵng,", 890, 990), ("ngày", 1000, 1060), ("Jÿtháng", 1066, 1170), ("10", 1180, 1210),
                 ("năm", 1220, 1280), ("2023", 1290, 1377))
    (day,) = fillins.slots([glued], 3500)
    assert (day.field, day.read, day.bbox) == ("day", "Jÿ", (1066, 400, 1096, 450))
    assert day.loose_end  # where `tháng` begins is a guess from its share of the glued word's letters
    fillins.fill(day, "18", 0.77)
    assert glued.text == "Đà Nẵng, ngày 18 tháng 10 năm 2023" and len({w.id for w in glued.words}) == len(glued.words)
    both = line(("Quảng", 1282, 1400), ("Ngãi,", 1410, 1500), ("ngày4Dtháng", 1510, 1760), ("01", 1770, 1810),
                ("năm", 1820, 1900), ("2025", 1910, 2000))
    (day,) = fillins.slots([both], 3500)
    assert (day.read, day.tail) == ("4D", "4D") and day.loose_end
    fillins.fill(day, "20", 0.6)
    assert both.text == "Quảng Ngãi, ngày 20 tháng 01 năm 2025"


def test_handwriting_that_overran_the_y_of_ngay_is_the_days_blank() -> None:
    """`ngàW†`: the handwritten day took the y of `ngày`; the place's `Ngãi,` before it is no day's label. Once the day
    is filled, the label is spelled whole again."""
    ln = line(("Quảng", 1208, 1320), ("Ngãi,", 1330, 1440), ("ngàW†", 1450, 1640), ("tháng", 1650, 1760), ("5", 1770, 1800),
              ("năm", 1830, 1920), ("2021", 1930, 2040))
    assert find_date(ln.text) is not None
    (day,) = fillins.slots([ln], 3500)
    assert (day.field, day.read, day.tail) == ("day", "W†", "W†")
    fillins.fill(day, "11", 0.85)
    spell_date_words([ln])
    assert ln.text == "Quảng Ngãi, ngày 11 tháng 5 năm 2021" and find_date(ln.text).iso == "2021-05-11"


def test_a_date_after_the_signing_day_takes_the_readers_next_reading_that_fits() -> None:
    ln = line(("Quảng", 1208, 1320), ("Ngãi,", 1330, 1440), ("ngày", 1450, 1540), ("#6", 1550, 1600), ("tháng", 1650, 1760),
              ("01", 1770, 1820), ("năm", 1830, 1920), ("2025", 1930, 2040))
    (day,) = fillins.slots([ln], 3500)
    word = fillins.fill(day, "26", 0.64, ("20", "16", "10"))
    assert word.alternatives == ["20", "16", "10"]
    signed = "2025-01-21"
    fillins.settle([ln], lambda date: date is not None and "2025-01-14" <= date <= signed)
    assert ln.text == "Quảng Ngãi, ngày 20 tháng 01 năm 2025"
    assert (word.text, word.source, word.flag, word.alternatives) == ("20", "repair", True, ["26", "16", "10"])
    assert word.history[-1].text == "26"
    fillins.settle([ln], lambda date: False)  # nothing fits: the reading stays
    assert word.text == "20"


def test_handwriting_read_into_the_label_or_before_a_slash_read_as_a_mark() -> None:
    glued = line(("Số:4@`", 420, 560), ("/TB-UBND", 600, 880))
    (slot,) = fillins.slots([glued], 3500)
    assert (slot.read, slot.tail) == ("4@`", "4@`")
    fillins.fill(slot, "46", 0.7)
    assert [w.text for w in glued.words] == ["Số:", "46", "/TB-UBND"]
    bang = line(("Số:", 420, 500), ("4/35", 515, 600), ("!SGDĐT-CTrTT", 610, 980), lid="p1-l5")
    (slot,) = fillins.slots([bang], 3500)
    assert slot.read == "4/35"
    fillins.fill(slot, "1595", 0.6)
    assert [w.text for w in bang.words] == ["Số:", "1595", "/SGDĐT-CTrTT"]
    lost = line(("Số:", 420, 500), ("All", 515, 600), ("CT-CS", 640, 780), lid="p1-l7")  # the slash lost under the handwriting
    (slot,) = fillins.slots([lost], 3500)
    assert slot.read == "All"
    fillins.fill(slot, "2191", 0.6)
    assert lost.text == "Số: 2191 /CT-CS"
    prose = line(("Số:", 420, 500), ("-1-16...", 515, 600), ("lá,", 610, 680), ("i-giah", 700, 800), ("qua,", 810, 900), lid="p1-l8")
    assert fillins.slots([prose], 3500) == []  # a word with a hyphen in small letters is no symbol
    sung = line(("Sông", 420, 500), ("Trà", 515, 600), ("/Khúc", 610, 980), lid="p1-l6")
    assert fillins.slots([sung], 3500) == []


def test_a_value_tesseract_is_unsure_of_is_read_again_and_kept_when_the_reader_fails() -> None:
    ln = line(("Số:", 420, 500), ("445", 515, 600), ("/CV-PA83", 610, 880))
    ln.words[1].conf = 0.89  # handwriting read as digits; print comes at 0.9 and more
    (slot,) = fillins.slots([ln], 3500)
    assert (slot.read, slot.conf) == ("445", 0.89)
    assert fillins.fill(slot, "115", 0.8).text == "115"
    ln = line(("Số:", 420, 500), ("445", 515, 600), ("/CV-PA83", 610, 880))
    ln.words[1].conf = 0.5
    (slot,) = fillins.slots([ln], 3500)
    word = fillins.fill(slot, "", 0.0)
    assert (word.text, word.conf, word.flag) == ("445", 0.5, True)


def test_typed_values_body_lines_and_lower_lines_are_left_alone() -> None:
    typed = line(("Số:", 420, 500), ("125/BC-UBND", 510, 800))
    date = line(("An", 1200, 1250), ("Bình,", 1260, 1350), ("ngày", 1360, 1450), ("14", 1460, 1500), ("tháng", 1510, 1600),
                ("3", 1610, 1630), ("năm", 1640, 1720), ("2025", 1730, 1820), lid="p1-l4")
    body = line(("theo", 300, 380), ("ngày", 390, 470), ("#", 480, 500), ("tháng", 510, 600), ("3", 610, 630), ("năm", 640, 720),
                ("2025", 730, 820), lid="p1-l9")  # no place before the date: a date in a sentence
    low = line(("Số:", 420, 500), ("@#", 515, 560), ("/CT-UBND", 610, 880), y=2000, lid="p1-l30")
    glued = line(("Số:23", 420, 540), ("/BC-UBND", 550, 800), lid="p1-l31")  # read with confidence (0.95)
    assert fillins.slots([typed, date, body, low, glued], 3500) == []


def test_digits_glued_to_the_label_and_read_unsure_are_handwriting() -> None:
    """`Số:445` read with 0.62: the handwritten 115, glued to the label; read again by the digit reader."""
    glued = line(("Số:445", 166, 246), ("/CV-PA83", 255, 378))
    glued.words[0].conf = 0.62
    (slot,) = fillins.slots([glued], 3500)
    assert (slot.read, slot.tail, slot.conf) == ("445", "445", 0.62)


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=8))
def test_never_crashes_and_a_fill_in_holds_only_digits(texts: list[str]) -> None:
    ln = line(*[(t, 100 + 120 * i, 200 + 120 * i) for i, t in enumerate(["Số:", *texts])])
    before = [w.text for w in ln.words]
    for slot in fillins.slots([ln], 3500):
        fillins.fill(slot, "12", 0.5)
    assert all(w.text in ("", "12") for w in ln.words if w.fill_in)
    kept = [w.text for w in ln.words if not w.fill_in]
    slashed = [b.replace("!", "/").replace("|", "/") for b in before]  # a symbol's slash read as a mark comes back
    assert kept[0] == "Số:" and all(any(k in b for b in before + slashed) for k in kept)  # others kept, at most cut


PIECES = ["ngày", "tháng", "ngày4D", "Jÿtháng", "ngày4Dtháng", "tháng01", "12", "#6", "/{5", "x"]


@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet="ngàyth áng01/#Jÿ", min_size=1, max_size=10)), min_size=1, max_size=6))
def test_a_date_lines_words_are_only_cut_never_lost(texts: list[str]) -> None:
    ln = line(*[(t, 100 + 120 * i, 200 + 120 * i) for i, t in enumerate(["Quảng", "Ngãi,", *texts, "năm", "2025"])])
    before = "".join(w.text for w in ln.words)
    found = fillins.slots([ln], 3500)
    assert "".join(w.text for w in ln.words) == before  # finding the blanks cuts a glued `tháng` off, loses nothing
    assert len({w.id for w in ln.words}) == len(ln.words)
    for slot in found:
        fillins.fill(slot, "12", 0.5)
    assert all(w.text in ("", "12") or not w.fill_in for w in ln.words)
