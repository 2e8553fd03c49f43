"""Folding for search: marks and đ removed character for character, so offsets in folded text are offsets in the original."""

from __future__ import annotations

import re

import regex

from ..text.vietnamese import fold, nfc, normalize_text

TOKEN_RE = regex.compile(r"[\p{L}\p{N}\p{M}\p{Co}]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _FoldTable(dict):
    """`str.translate` table: each character to its folded form when that is one character (keeps offsets)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = fold("Đ" if ch == "Ð" else ch)  # Ð (eth) is what OCR and legacy fonts give for Đ
        value = folded if len(folded) == 1 else ch
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


def fold_aligned(text: str) -> str:
    """`fold`, one character out for each character in, so offsets in the result are offsets in `text`."""
    return text.translate(_FOLD_TABLE)


def display_text(text: str) -> str:
    """The text as stored and shown: NFC, control characters blanked."""
    return _CONTROL_RE.sub(" ", nfc(text))


def exact_text(text: str) -> str:
    """The text for mark-exact matching: NFC with tone marks in one place (`hoá` and `hóa` are the same word)."""
    return normalize_text(nfc(text), "old")


def has_marks(word: str) -> bool:
    return fold_aligned(nfc(word)).lower() != nfc(word).lower()
