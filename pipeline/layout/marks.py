"""Marks lent to the OCR's words from a spelling the document is sure of.

A line that spells such a name, word for word, but for a mark the OCR slipped takes the name's
marks, its own capitals kept: the signer or organisation of a born-digital e-signature
(`CỤC THUÊ` -> `CỤC THUẾ`), a title in capitals that names a type of Decree 30's list
(`QUYÉT ĐỊNH` -> `QUYẾT ĐỊNH`, where a title stands alone and repair has no sentence to go by).
A date line's own words are spelled as a date line spells them: `ngày ø thủng # năm` -> `tháng`;
a signature's title in capitals (`KT. CHfJ TÍCH`) as the title it spells but for a letter or two; a công văn's
`V/v` as printed (`Vv`, `V/w`), and the number's `Số:` (`SỐ:`). The change is a repair in the word's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

from ..model import Line
from ..text.vietnamese import apply_case, fold, normalize_tone_placement
from .patterns import (
    BEFORE_YEAR, DAY_WORD, DAY_WORD_CUT, MONTH_MISREAD, MONTH_WORD, YEAR_WORD, find_authority, find_date, find_number, is_kinh_gui,
    is_upper, starts_body_phrase, vv_misread,
)

# a date line's words as `patterns.find_date` takes them, in the order they come; `năm` also any short word right
# before the year (`ran 2025` in an old OCR's text)
DATE_WORDS = tuple((re.compile(pattern), word) for pattern, word in ((DAY_WORD, "ngày"), (MONTH_WORD, "tháng"), (YEAR_WORD, "năm")))
_BEFORE_YEAR = re.compile(BEFORE_YEAR)
_YEAR = re.compile(r"\d{4}\b")
_MONTH_NUMBER = re.compile(r"\d{1,2}")
_EDGE = ",.;:"
# the titles a signature block prints (after TM., KT., TL., Q. or alone), written here from Decree 30's models
TITLES = (
    "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "TỔNG GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
    "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "BỘ TRƯỞNG",
    "THỨ TRƯỞNG", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "BÍ THƯ", "PHÓ BÍ THƯ", "HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", "CHÁNH THANH TRA",
    "PHÓ CHÁNH THANH TRA", "VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG", "TRƯỞNG CÔNG AN", "PHÓ TRƯỞNG CÔNG AN", "ỦY BAN NHÂN DÂN",
)
_TITLE_OF = {fold(title): title.split() for title in TITLES}


def lend_marks(lines: Iterable[Line], names: Iterable[str], style: str) -> None:
    spelled = {tuple(fold(w).casefold() for w in name.split()): [normalize_tone_placement(w, style) for w in name.split()] for name in names}
    if not spelled:
        return
    for line in lines:
        words = [w for w in line.words if w.text]
        for word, marked in zip(words, spelled.get(tuple(fold(w.text).casefold() for w in words), [])):
            marked = marked.upper() if word.text.isupper() else marked
            if normalize_tone_placement(word.text, style) != marked:
                word.set_text(marked, "repair")


def spell_date_words(lines: Iterable[Line]) -> None:
    """In the document's first line that holds a date (the header's place and date), its words `ngày`, `tháng`,
    `năm`, each within three words of the one before (a handwritten number between), spelled right where the OCR
    or repair slipped (`thủng`, `NGAY`, `rắn 2025`, `ngà` whose y the handwritten day took). Dates in the body are
    left as read: `ngày 5 thành lập năm 2020` reads as a damaged date too."""
    line = next((line for line in lines if find_date(line.text) is not None), None)
    if line is None:
        return
    words = [w for w in line.words if w.text]
    due, since = 0, 0
    for before, word, after in zip([None, *words], words, [*words[1:], None]):
        pattern, spelled = DATE_WORDS[due]
        core = word.text.strip(_EDGE)
        label = fold(core).upper()
        before_year = due == 2 and after is not None and _YEAR.match(after.text) and _BEFORE_YEAR.fullmatch(label)
        cut_day = due == 0 and after is not None and after.fill_in == "day" and re.fullmatch(DAY_WORD_CUT, label)  # ngà 11
        # `tháng` misread whole, between the day and the month read as numbers (`15 Biểng 4`), as `find_date` takes it
        month_whole = due == 1 and before is not None and after is not None and before.text.isdigit() \
            and _MONTH_NUMBER.fullmatch(after.text) and re.fullmatch(MONTH_MISREAD, label)
        if core and (pattern.fullmatch(label) or before_year or cut_day or month_whole) and (due == 0 or since <= 3):
            spelled = apply_case(spelled, core) if not month_whole or core.isupper() else spelled  # Biểng: its case tells nothing
            if core != spelled:
                word.set_text(word.text.replace(core, spelled), "repair")
            due, since = due + 1, 0
            if due == len(DATE_WORDS):
                return
        elif due:
            since += 1


def spell_titles(lines: Iterable[Line], style: str) -> None:
    """A line in capitals of one to four words that spells one of TITLES but for a letter (up to one in four after an
    authority's prefix), nearer it than any other title, takes the title's spelling: `KT. CHfJ TÍCH` -> `KT. CHỦ
    TỊCH` (the real garbled sample, after its recipients' column), `PHO CHU TICH` -> `PHÓ CHỦ TỊCH`; not
    `TRƯỞNG THÔN` (two letters from `TRƯỞNG PHÒNG`). A title spelled right, in either tone style (`UỶ BAN`), is
    left as it is. Marks read before it are passed over: a seal's ring over its first letter (`= HỦ TỊCH`, a real
    page as a 1-bit scan)."""
    for line in lines:
        words = [w for w in line.words if w.text]
        at = find_authority(line.text)  # an old OCR's text may hold the recipients' column before it on its line
        prefixed = at is not None
        rest = words[len(line.text[:at].split()) + 1 :] if prefixed else words  # the prefix opens a word
        while rest and not any(c.isalnum() for c in rest[0].text):
            rest = rest[1:]
        text = " ".join(w.text for w in rest)
        if not 1 <= len(rest) <= 4 or not is_upper(text) or not all(w.text.isalpha() for w in rest):
            continue
        key = fold(text).upper()
        near = sorted((Levenshtein.distance(key, title), title) for title in _TITLE_OF if title.count(" ") == len(rest) - 1)
        if not near or near[0][0] > (max(1, len(key) // 4) if prefixed else 1) or (len(near) > 1 and near[1][0] == near[0][0]):
            continue
        for word, spelled in zip(rest, _TITLE_OF[near[0][1]]):
            if normalize_tone_placement(word.text, style) != normalize_tone_placement(spelled, style):
                word.set_text(normalize_tone_placement(spelled, style), "repair")


def spell_vv(lines: Iterable[Line]) -> None:
    """The `V/v` opening a công văn's subject in its header (before `Kính gửi` or the body's first phrase), however
    the OCR read it (`Vv`, `V/w`, `Víw`, `— v/w`), written as printed: the words the misreading spans give way to
    one `V/v`. A misreading that ends inside a word is left as read, and so is a `v/v` in small letters."""
    for line in lines:
        if is_kinh_gui(line.text) or starts_body_phrase(line.text):
            return
        end = vv_misread(line.text)
        if end is None:
            continue
        if line.text.lstrip().startswith("v/v"):  # printed so by some offices
            return
        head = line.text[:end].rstrip()
        spanned = [w for w in line.words if w.text][: len(head.split())]
        if " ".join(w.text for w in spanned) != head:  # the misreading ends inside a word
            return
        spanned[0].set_text("V/v", "repair")
        for word in spanned[1:]:
            word.set_text("", "repair")
        return


_LABELS = {("NOI", "NHAN:"), ("KINH", "GUI:")}  # folded: `Nơi nhận:`, `Kính gửi:`, which open with a capital


def spell_labels(lines: Iterable[Line]) -> None:
    """`Nơi nhận:` and `Kính gửi:` opening a line in small letters, their capital lost (`ơi nhận:` on a real page at
    72 dpi, which repair made `nơi`), written with it, as printed."""
    for line in lines:
        words = [w for w in line.words if w.text]
        if len(words) >= 2 and words[0].text.islower() and (fold(words[0].text).upper(), fold(words[1].text).upper()) in _LABELS:
            words[0].set_text(words[0].text.capitalize(), "repair")


_NUMBER_LABEL = re.compile(r"^S[ỐÔÓO](\W*)$")  # `Số` read in capitals, its ố's height taken for a capital's


def spell_number_label(lines: Iterable[Line]) -> None:
    """The `Số:` opening the header's number line (the first line holding a number), read in capitals (`SỐ: 2191`, a
    real page at 300 dpi), written as Decree 30 prints it."""
    for line in lines:
        if find_number(line.text) is None:
            continue
        words = [w for w in line.words if w.text]
        label = _NUMBER_LABEL.match(words[0].text)
        if label:
            words[0].set_text("Số" + label.group(1), "repair")
        return
