"""Place names keep their marks: a province or city written with its capitals (`TĨNH QUANG NGÀI`,
`Hà Nói`) whose letters are those of a known name but whose marks are not is given the name's marks,
and so is the unit before it (`TỈNH`, `HUYỆN`, `XÃ`...). The issuer and the place of the date are read
from such words; an OCR slip in a mark there is the commonest wrong field on real scans.

Only names of two syllables or more (dictionaries/names.txt), only words written with a capital
(a name, not the common words `hòa bình` or `bình định`), and only where the letters match exactly.
"""

from __future__ import annotations

from functools import cache

from ..model import Document, Word
from .lexicon import DICT_DIR
from .vietnamese import apply_case, fold, nfc

# the one-syllable units written before a place's name, given their marks with it (`TĨNH` -> `TỈNH`)
_UNITS = {fold(unit).lower(): unit for unit in ("tỉnh", "huyện", "quận", "xã", "phường")}


@cache
def known_names() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Folded lower-case syllables -> the name's syllables, for the names of two syllables or more."""
    names: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in (DICT_DIR / "names.txt").read_text("utf-8").splitlines():
        words = tuple(nfc(line).split())
        if len(words) >= 2 and not line.startswith("#"):
            names.setdefault(tuple(fold(w).lower() for w in words), words)
    return names


def _core(word: Word) -> tuple[str, str, str]:
    """The word's letters and the punctuation around them."""
    text = word.text
    start = next((i for i, c in enumerate(text) if c.isalpha()), len(text))
    end = len(text) - next((i for i, c in enumerate(reversed(text)) if c.isalpha()), len(text))
    return text[:start], text[start:end], text[end:]


def restore_line(words: list[Word]) -> None:
    """Give the known names in a line of words their marks, in place (the change recorded as repair)."""
    names = known_names()
    longest = max(len(key) for key in names)
    i = free = 0  # words before `free` belong to a name already given its marks
    while i < len(words):
        for size in range(min(longest, len(words) - i), 1, -1):
            span = words[i : i + size]
            cores = [_core(w) for w in span]
            letters = [core for _, core, _ in cores]
            inner = any(tail for _, _, tail in cores[:-1]) or any(lead for lead, _, _ in cores[1:])
            if inner or not all(core[:1].isupper() for core in letters):
                continue
            name = names.get(tuple(fold(core).lower() for core in letters))
            if name is None:
                continue
            fixes = list(zip(span, cores, name))
            before = _core(words[i - 1]) if i > free else None
            unit = _UNITS.get(fold(before[1]).lower()) if before and len(before[1]) > 1 else None
            if unit:
                fixes.insert(0, (words[i - 1], before, unit))
            for word, (lead, core, tail), right in fixes:
                fixed = lead + apply_case(right, core) + tail
                if fixed != word.text and word.source not in ("clerk", "text-layer"):
                    word.set_text(fixed, "repair")
            i += size - 1
            free = i + 1
            break
        i += 1


def restore_document(doc: Document) -> Document:
    """Every line of the document (a born-digital layer's words and a clerk's are left as they are)."""
    for line in doc.lines():
        restore_line([w for w in line.words if w.text])
    return doc
