"""Marks lent to the OCR's words from a spelling the document is sure of.

A line that spells such a name, word for word, but for a mark the OCR slipped takes the name's
marks, its own capitals kept: the signer or organisation of a born-digital e-signature
(`CỤC THUÊ` -> `CỤC THUẾ`), a title in capitals that names a type of Decree 30's list
(`QUYÉT ĐỊNH` -> `QUYẾT ĐỊNH`, where a title stands alone and repair has no sentence to go by).
A date line's own words are spelled as a date line spells them: `ngày ø thủng # năm` -> `tháng`.
The change is a repair in the word's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Line
from ..text.vietnamese import apply_case, fold, normalize_tone_placement
from .patterns import find_date

# a date line's words, folded, as damaged as `patterns.find_date` takes them, in the order they come; `năm` also
# any short word right before the year (`ran 2025` in an old OCR's text)
DATE_WORDS = ((re.compile(r"NG[A-Z]{0,2}Y"), "ngày"), (re.compile(r"TH[A-Z]{2,4}"), "tháng"), (re.compile(r"N[A-Z]{1,2}M?"), "năm"))
_BEFORE_YEAR = re.compile(r"[A-Z]{2,4}")
_YEAR = re.compile(r"\d{4}\b")
_EDGE = ",.;:"


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
    or repair slipped (`thủng`, `NGAY`, `rắn 2025`). Dates in the body are left as read: `ngày 5 thành lập năm
    2020` reads as a damaged date too."""
    line = next((line for line in lines if find_date(line.text) is not None), None)
    if line is None:
        return
    words = [w for w in line.words if w.text]
    due, since = 0, 0
    for word, after in zip(words, [*words[1:], None]):
        pattern, spelled = DATE_WORDS[due]
        core = word.text.strip(_EDGE)
        label = fold(core).upper()
        before_year = due == 2 and after is not None and _YEAR.match(after.text) and _BEFORE_YEAR.fullmatch(label)
        if core and (pattern.fullmatch(label) or before_year) and (due == 0 or since <= 3):
            spelled = apply_case(spelled, core)
            if core != spelled:
                word.set_text(word.text.replace(core, spelled), "repair")
            due, since = due + 1, 0
            if due == len(DATE_WORDS):
                return
        elif due:
            since += 1
