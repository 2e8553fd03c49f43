"""Handwritten fill-ins of the header: the number, day and month written by hand into printed blanks.

A published scan carries `Số:   /BC-UBND` and `ngày   tháng   năm 2025` in print, and the office
writes the number and the day in by hand when the document is issued. Tesseract reads such
handwriting as garbage (`Ø2 #`, `ngày/{5`, `@#`, `ngày 80`), often with full confidence.

`slots` finds, on one OCR'd page, the blanks whose reading is not a well-formed value (pure text
and geometry); `fill` turns each into one word: the best reading of its digits, or empty when
none could be made, its box the blank's region, marked with the field it fills and flagged for
the clerks. A blank Tesseract reads as a well-formed value with confidence (a typed number) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import BBox, Line, Word, union
from .patterns import find_date, fold

HEADER_SHARE = 0.4  # the number and date lines sit in the top 40% of the first page
# Below this sureness of the digit reader (image/digits.py) a reading is noise: on the 20 handwritten
# blanks of the real archive scans its readings were right 13 times, from sureness 0.38 up.
MIN_CONF = 0.2
FIELDS = ("number", "day", "month")
LABEL_WIDTH = 1.4  # `Số:` printed is about 1.1-1.4 times as wide as its box is high
CUT_MONTH = "-thang"  # the id's end of a `tháng` cut from the handwriting glued before it

_LABEL = re.compile(r"^S[O06]\s*[:;.,]?")  # `Số:` and OCR's `S6:`, alone or with the handwriting read into it (`Số:4@``)
_GLUED_MONTH = re.compile(r"(\S+?)(THANG\W?\d*)")  # folded: the month's label after what Tesseract glued to it
_SYMBOL = re.compile(r"[/!|]\s*[A-Z]")  # folded: `/BC-UBND`, and its slash read `!`
_BARE_SYMBOL = re.compile(r"[A-ZĐ]{1,8}(?:-[A-ZĐ0-9]+)+")  # as printed, its slash lost under the handwriting: `CT-CS`
# A blank read as a well-formed value on its own is typed when Tesseract is this sure of it; handwriting
# it reads as digits (`445` for a written 115, `839` for 299) comes with less on the real scans (0.03-0.89).
TYPED_CONF = 0.9
_VALID = {"number": re.compile(r"\d{1,5}"), "day": re.compile(r"0?[1-9]|[12]\d|3[01]"), "month": re.compile(r"0?[1-9]|1[0-2]")}


@dataclass
class Slot:
    field: str  # number | day | month
    line: Line
    start: int  # the words line.words[start:end] are the blank's reading
    end: int
    bbox: BBox  # the blank's region on the page
    read: str  # what the OCR read there
    tail: str = ""  # end of line.words[start - 1] that belongs to the blank (`/{5` of `ngày/{5`)
    head: str = ""  # start of line.words[end] that belongs to the blank (`22` of `22/BC-UBND`)
    conf: float = 0.0  # Tesseract's confidence in what it read there
    room: tuple[int, int] = (0, 0)  # the columns between the printed words around the blank (handwriting overruns its reading)
    # the room's end is a guess: `tháng` was cut from the handwriting Tesseract glued before it (`20tháng`)
    loose_end: bool = False


def valid(field: str, text: str) -> bool:
    return bool(_VALID[field].fullmatch(text))


def _share(word: Word, chars: int, at_end: bool) -> BBox | None:
    """The part of a word's box its first (last) `chars` characters take, by their share of its text."""
    if not word.bbox or not chars:
        return None
    x0, y0, x1, y1 = word.bbox
    width = round((x1 - x0) * chars / max(1, len(word.text)))
    return (x1 - width, y0, x1, y1) if at_end else (x0, y0, x0 + width, y1)


def _slot(field: str, line: Line, start: int, end: int, tail: str = "", head: str = "") -> Slot | None:
    """The blank between line.words[start - 1] and line.words[end], when its reading is not well formed."""
    words = line.words
    read = " ".join(p for p in (tail, *(w.text for w in words[start:end]), head) if p)
    conf = min((w.conf for w in words[start - bool(tail) : end]), default=0.0)  # with the label the value is glued to
    # typed: a value glued to the symbol after it (`186/CAX-QLHC`) or read with confidence, a reference (`số 105/2012/NĐ-CP`)
    if (valid(field, read) and (head or conf >= TYPED_CONF)) or re.fullmatch(r"\d+/(?:19|20)\d\d", read):
        return None
    box = union([*(w.bbox for w in words[start:end]),
                  _share(words[start - 1], len(tail), True) if tail else None,
                  _share(words[end], len(head), False) if head else None])
    if box is None:  # nothing read there: the region between the printed words, if there is room for a value
        left, right = words[start - 1].bbox, words[end].bbox if end < len(words) else line.bbox
        if not left or not right or right[0] - left[2] < left[3] - left[1]:
            return None
        box = (left[2], min(left[1], right[1]), right[0], max(left[3], right[3]))
    left = words[start - 1].bbox if not tail else None
    right = words[end].bbox if end < len(words) and not head else None
    room = (left[2] if left else box[0], right[0] if right else box[2])
    loose_end = right is not None and words[end].id.endswith(CUT_MONTH)
    return Slot(field, line, start, end, box, read, tail, head, conf=conf, room=room, loose_end=loose_end)


def _number_slot(line: Line) -> Slot | None:
    words = line.words
    label = _LABEL.match(fold(words[0].text)) if len(words) >= 2 else None
    tail = words[0].text[label.end() :] if label else ""
    if label is None or tail.isalpha():  # `Sông`, `Sổ` open no number
        return None
    found = [(i, m) for i in range(1, len(words)) if (m := _SYMBOL.search(fold(words[i].text)) or _BARE_SYMBOL.fullmatch(words[i].text))]
    if not found:
        return None
    # the symbol is the first with a hyphen (`/VBHN-BQP`), the handwriting before it read with a slash (`/đó`)
    i, m = next(((i, m) for i, m in found if "-" in words[i].text[m.start() :]), found[0])
    box = words[0].bbox
    if i == 1 and not tail and box and box[2] - box[0] > (LABEL_WIDTH + 1) * (box[3] - box[1]):
        # nothing read before the symbol, and `Số:`'s box wide enough to hold the handwriting Tesseract did not read
        words[0].bbox = (box[0], box[1], box[0] + round(LABEL_WIDTH * (box[3] - box[1])), box[3])
    return _slot("number", line, 1, i, tail=tail, head=words[i].text[: m.start()])


def _unglue_month(line: Line) -> None:
    """Cut `tháng` from the handwriting Tesseract glued before it (`Jÿtháng`, `ngày4Dtháng`): the day's
    blank then stands between its two labels. The cut-off head keeps the word's id, `tháng` gets a new one."""
    for i, word in enumerate(line.words):
        m = _GLUED_MONTH.fullmatch(fold(word.text))
        if m is None:
            continue
        cut = m.start(2)
        head, rest = _share(word, cut, False), _share(word, len(word.text) - cut, True)
        month = Word(f"{word.id}{CUT_MONTH}", word.text[cut:], word.text[cut:], word.conf, word.page, word.line, rest)
        word.text = word.ocr = word.text[:cut]
        word.bbox = head
        line.words.insert(i + 1, month)
        return


def _date_slots(line: Line) -> list[Slot]:
    """`Quảng Ngãi, ngày ... tháng ... năm 2025`: the month and day blanks (a place before `ngày`), right to
    left, so that filling one leaves the other's word positions as they were."""
    if re.search(r"NGAY.*\STHANG.*NAM \d{4}", fold(line.text)):
        _unglue_month(line)
    folded = [fold(w.text) for w in line.words]
    day = next((i for i, f in enumerate(folded) if re.fullmatch(r"NGAY\W?\S*", f)), None)
    month = next((i for i, f in enumerate(folded) if re.fullmatch(r"THANG\W?\S*", f)), None)
    label = 4
    if day is None and month:  # `ngàW† tháng`: the handwritten day overran the y (not the place's `Ngãi,` before it)
        day, label = (month - 1 if re.fullmatch(r"NGA\S*[^,]", folded[month - 1]) else None), 3
    year = next((i for i, f in enumerate(folded) if f == "NAM"), None)
    if day is None or month is None or year is None or not day < month < year or year + 1 >= len(folded):
        return []
    if not re.fullmatch(r"\d{4}[.,]?", folded[year + 1]) or not any("," in w.text for w in line.words[:day]):
        return []
    words = line.words
    found = [_slot("month", line, month + 1, year, tail=words[month].text[5:]),
             _slot("day", line, day + 1, month, tail=words[day].text[label:])]
    return [s for s in found if s is not None]


def slots(lines: list[Line], page_height: int) -> list[Slot]:
    """The header's blanks on one page whose reading is not a well-formed number, day or month."""
    found: list[Slot] = []
    for line in lines:
        if line.bbox is None or line.bbox[1] > page_height * HEADER_SHARE or any(w.fill_in for w in line.words):
            continue
        number = _number_slot(line)
        found += [number] if number else _date_slots(line)
    return found


def fill(slot: Slot, reading: str, conf: float, others: tuple[str, ...] = ()) -> Word:
    """Replace the blank's words in its line by one flagged word holding `reading` (digits; `others` the
    reader's next readings, its alternatives), else Tesseract's reading when it is a well-formed value, else nothing."""
    words = slot.line.words
    if not (valid(slot.field, reading) and conf >= MIN_CONF):
        reading, conf, others = (slot.read, slot.conf, ()) if valid(slot.field, slot.read) else ("", 0.0, ())
    word = Word(
        id=words[slot.start].id if slot.start < slot.end else f"{slot.line.id}-{slot.field}",
        ocr=slot.read,
        text=reading,
        conf=round(conf, 3),
        page=slot.line.words[0].page,
        line=slot.line.id,
        bbox=slot.bbox,
        flag=True,
        alternatives=[o for o in others if valid(slot.field, o)],
        fill_in=slot.field,
    )
    if slot.tail:
        label = words[slot.start - 1]
        label.text = label.ocr = label.text[: -len(slot.tail)]
        label.bbox = (*label.bbox[:2], slot.bbox[0], label.bbox[3]) if label.bbox else None
    if slot.head:
        rest = words[slot.end]
        rest.text = rest.ocr = rest.text[len(slot.head) :]
        rest.bbox = (slot.bbox[2], *rest.bbox[1:]) if rest.bbox else None
    symbol = words[slot.end] if slot.field == "number" else None
    if symbol and symbol.text.startswith(("!", "|")):  # the symbol's slash, read as a mark
        symbol.text = symbol.ocr = "/" + symbol.text[1:]
    elif symbol and not symbol.text.startswith("/"):  # or lost under the handwriting
        symbol.text = symbol.ocr = "/" + symbol.text
    words[slot.start : slot.end] = [word]
    return word


def _date_of(line: Line) -> str | None:
    found = find_date(line.text)
    return found.iso if found else None


def settle(lines: list[Line], fits: Callable[[str | None], bool]) -> None:
    """A handwritten date `fits` rejects (after the signing day, or long before it) takes the digit reader's
    next reading of its day or month that fits, if one does: the word's text becomes it (flagged, as every
    fill-in is), its former reading first among its alternatives."""
    for line in lines:
        written = [w for w in line.words if w.fill_in in ("day", "month") and w.text and w.source != "clerk"]
        if not written or fits(_date_of(line)):
            continue
        for word, other in ((w, o) for w in written for o in w.alternatives):
            read = word.text
            word.text = other
            fitting = fits(_date_of(line))
            word.text = read
            if fitting:
                word.set_text(other, "repair")
                word.alternatives = [read, *(o for o in word.alternatives if o != other)]
                return


def fill_ins(words: list[Word]) -> list[dict]:
    """The document's handwritten fill-ins for its structure: field, value (None when unread), box."""
    return [
        {"field": w.fill_in, "value": w.text or None, "read": w.ocr, "conf": w.conf, "flag": w.flag, "page": w.page,
         "bbox": list(w.bbox) if w.bbox else None, "word": w.id, "source": w.source}
        for w in words
        if w.fill_in
    ]
