"""Marks lent to the OCR's words from a spelling the document is sure of.

A line that spells such a name, word for word, but for a mark the OCR slipped takes the name's
marks, its own capitals kept: the signer or organisation of a born-digital e-signature
(`CỤC THUÊ` -> `CỤC THUẾ`), a title in capitals that names a type of Decree 30's list
(`QUYÉT ĐỊNH` -> `QUYẾT ĐỊNH`, where a title stands alone and repair has no sentence to go by).
The change is a repair in the word's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Line
from ..text.vietnamese import fold, normalize_tone_placement


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
