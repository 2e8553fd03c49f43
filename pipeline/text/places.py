"""Place names keep their marks: a province or city written with its capitals (`TĨNH QUANG NGÀI`,
`Hà Nói`) whose letters are those of a known name but whose marks are not is given the name's marks,
and so is the unit before it (`TỈNH`, `HUYỆN`, `XÃ`...). The issuer and the place of the date are read
from such words; an OCR slip in a mark there is the commonest wrong field on real scans.

Only names of two syllables or more (dictionaries/names.txt), only words written with a capital
(a name, not the common words `hòa bình` or `bình định`), and only where the letters match exactly;
after `tỉnh`, a province's name a letter from what was read (`TINH QUANG NGOÀI`), where it is the only one.

A person's name alone on its line (the signer's, after a rank or Ông/Bà) whose first word is no
surname but has the letters of exactly one (`Nguyên Văn Gấu`), before a middle or given name, gets
the surname's marks when the language model finds the pair likelier so: the signer is a field, and
Nguyễn, Trần, Lê... are a closed list; a first word that is no syllable at all (`Trằế`, two tones) takes
the one surname a letter from it, before a middle or given name. Its last word, when no given name of the
list, takes the marks of the commonest one that differs from it only by its tone (`Trần Hoàng Tuần`), flagged;
a surname that lost its capital under a seal (`rần Ngọc Căng`) gets it back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import takewhile
from typing import TypeVar

from rapidfuzz.distance import Levenshtein

from ..model import Document, Word
from .lexicon import DICT_DIR, name_section
from .lm import pack
from .repair import shared_repairer
from .vietnamese import apply_case, fold, is_syllable, nfc, strip_tone

T = TypeVar("T")

# the one-syllable units written before a place's name, given their marks with it (`TĨNH` -> `TỈNH`)
_UNITS = {fold(unit).lower(): unit for unit in ("tỉnh", "huyện", "quận", "xã", "phường")}
_LOWER_UNITS = frozenset(_UNITS.values())
GUESSED_NAME = 0.5  # the confidence at most of a given name whose tone was taken from the list, below a field's flag
NEAR_LETTERS = 7  # a province's name read a letter wrong is taken for it from this many letters (spaces counted)
GARBLED_LETTERS = 3  # a garbled first word is taken for a surname from this many letters (`ñg` tells nothing)
TWO_LETTERS = 10  # and read two letters wrong from this many (`QUÁẢNG NGOÀI`, a 1-bit scan's broken marks)


@cache
def known_names() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Folded lower-case syllables -> the name's syllables, for the names of two syllables or more."""
    names: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in (DICT_DIR / "names.txt").read_text("utf-8").splitlines():
        words = tuple(nfc(line).split())
        if len(words) >= 2 and not line.startswith("#"):
            names.setdefault(tuple(fold(w).lower() for w in words), words)
    return names


@cache
def surnames() -> dict[str, str]:
    """Folded lower-case surname -> the surname, for the surnames no other surname folds to."""
    found: dict[str, list[str]] = {}
    for name in name_section("surnames"):
        found.setdefault(fold(name).lower(), []).append(name)
    return {key: names[0] for key, names in found.items() if len(names) == 1}


@cache
def _surnames_as_written() -> frozenset[str]:
    return frozenset(name.lower() for name in name_section("surnames"))


def is_surname(word: str) -> bool:
    """Is `word` a surname of the list, marks and all (in any case: NGUYỄN)?"""
    return word.lower() in _surnames_as_written()


@cache
def given_names() -> tuple[str, ...]:
    """The middle and given names, the commoner first."""
    return tuple(name_section("middle and given names"))


SURER = 2.3  # ln 10: the surname's reading must be ten times likelier than the word as read
# what may stand before a name on its line: a rank (`Thượng tướng`), a title of address
RANK = r"(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)"  # a police or army rank printed before a name
_BEFORE_NAME = re.compile(rf"^(?:{RANK}|Ông|Bà|Đồng chí|đồng chí)$")


def _person(words: list[Word]) -> list[Word]:
    """The words of a person's name when the line holds only one (after a rank or Ông/Bà), else none."""
    texts = [w.text for w in words]
    skip = next((k for k in (2, 1) if len(texts) > k and _BEFORE_NAME.match(" ".join(texts[:k]))), 0)
    name = words[skip:]
    if not 2 <= len(name) <= 5 or not all(w.text.isalpha() and w.text[0].isupper() and not w.text.isupper() for w in name):
        return []
    return name


def restore_surname(words: list[Word]) -> None:
    """A line holding only a person's name: its first word given the marks of the one surname it spells."""
    name = _person(words) or _garbled_surname(words)
    if not name:
        return
    first, second = name[0], name[1].text
    right = surnames().get(fold(first.text).lower())
    if not right and not is_syllable(first.text.lower()) and any(w.text in given_names() for w in name[1:]):
        near = _near_surname(first.text)
        if near and first.source not in ("clerk", "text-layer"):  # `Trằế Hoàng Tuấn`: no word, a letter from Trần
            first.set_text(apply_case(near, first.text) if first.text.isupper() else near, "repair")  # a garble's case tells little
        return
    if not right or first.text in surnames().values() or first.source in ("clerk", "text-layer"):
        return
    if _holds_place(name[:2]):  # `Đồ Sơn`
        return
    # `Nguyên Văn Gấu`, `Trân Thị Mai` are names (Văn and Thị open nothing else on a line of their own),
    # `Lễ Hội Xuân` a heading, `Tổ Quốc` two words the model knows better as they are
    if second in ("Văn", "Thị") or (second in given_names() and _opening(right, second) > _opening(first.text, second) + SURER):
        first.set_text(apply_case(right, first.text), "repair")


def _garbled_surname(words: list[Word]) -> list[Word]:
    """A person's name whose first word a seal's ring or the signature's stroke garbled, with a symbol or into no
    syllable (`#rấñ Hoàng Tuấn`, `frân Phước Hiền`, `Kguyễn Quác Việt`): the line's words, where the words after the
    first are a name (`_person`)."""
    first = words[0].text if words else ""
    if len(words) < 3 or not _person(words[1:]) or sum(map(str.isalpha, first)) < GARBLED_LETTERS or (first.isalpha() and is_syllable(first.lower())):
        return []
    return words


def _near_surname(text: str) -> str | None:
    """The one surname a letter from `text` as read, a symbol standing for a letter (`#rấñ`: Trần), or else from its
    letters without the symbols around them (`` `xNguyễn ``: Nguyễn)."""
    named = [(key, s) for key, s in surnames().items() if len(key) > 2]
    return _only_near(fold(text).lower(), named) or _only_near(fold(_core(text)[1]).lower(), named)


def restore_initial(words: list[Word]) -> None:
    """A line holding only a person's name whose surname lost its capital (under a seal or the signature's
    strokes: `rần Ngọc Căng`) gets it back, when one surname alone ends so and a middle or given name follows;
    marks aside where none ends so as read (`gưýến Hoàng Giang`: Nguyễn)."""
    if len(words) < 3 or not (2 <= len(words[0].text) <= 5 and words[0].text.isalpha() and words[0].text.islower()):
        return
    if words[0].source in ("clerk", "text-layer") or not _person(words[1:]) or words[1].text not in given_names():
        return
    whole = [s for s in surnames().values() if s[1:] == words[0].text]
    if not whole:
        read = fold(words[0].text)
        whole = [s for s in surnames().values() if fold(s[1:]) == read]
    if len(whole) == 1:
        words[0].set_text(whole[0], "repair")


def restore_given_name(words: list[Word]) -> None:
    """A line holding only a person's name, opened by a surname: a last word that is no given name of the
    list but spells one but for its tone (`Tuần`) takes the commonest such (`Trần Hoàng Tuấn`); a given name
    of the list stays as read. (The language model, which knows `tuần` as a week, cannot judge names.) The word is
    flagged, its confidence GUESSED_NAME at most, and with it the signer's field."""
    name = _person(words)
    if len(name) < 3 or name[0].text not in surnames().values() or _holds_place(name):
        return
    last = name[-1]
    if last.text in given_names() or last.source in ("clerk", "text-layer"):
        return
    toneless = strip_tone(last.text)[0]
    right = next((g for g in given_names() if strip_tone(g)[0] == toneless), None)
    if right:  # a guess: the list is not every name, so the clerks see it
        last.set_text(right, "repair")
        last.conf, last.flag = min(last.conf, GUESSED_NAME), True


def _holds_place(words: list[Word]) -> bool:
    """Do the words hold a known place's name (`Hà Nội Hải Phòng` is no person)?"""
    folded = [fold(w.text).lower() for w in words]
    return any(tuple(folded[i:j]) in known_names() for i in range(len(folded)) for j in range(i + 2, len(folded) + 1))


def _opening(first: str, second: str) -> float:
    """ln P(first second) at the start of a sentence, by the language model repair uses."""
    return _logprob([first.lower(), second.lower()])


def _logprob(symbols: list[str]) -> float:
    """ln P(symbols) from the start of a sentence, by the language model repair uses."""
    lm = shared_repairer().lexicon.lm
    ids = [lm.sent, lm.sent, *map(lm.id, symbols)]
    return sum(lm.scores([pack(tuple(ids[i : i + 3])) for i in range(len(ids) - 2)]))


def _core(text: str) -> tuple[str, str, str]:
    """A word's letters and the punctuation around them."""
    start = next((i for i, c in enumerate(text) if c.isalpha()), len(text))
    end = len(text) - next((i for i, c in enumerate(reversed(text)) if c.isalpha()), len(text))
    return text[:start], text[start:end], text[end:]


def restore_line(words: list[Word], names: dict[tuple[str, ...], tuple[str, ...]] | None = None) -> None:
    """Give the known names (`names`, else the shipped ones) in a line of words their marks, in place (the
    change recorded as repair)."""
    names = names or known_names()
    longest = max(len(key) for key in names)
    i = free = 0  # words before `free` belong to a name already given its marks
    while i < len(words):
        for size in range(min(longest, len(words) - i), 1, -1):
            span = words[i : i + size]
            cores = [_core(w.text) for w in span]
            letters = [core for _, core, _ in cores]
            inner = any(tail for _, _, tail in cores[:-1]) or any(lead for lead, _, _ in cores[1:])
            if inner or not all(core[:1].isupper() for core in letters):
                continue
            before = _core(words[i - 1].text) if i > free else None
            unit = _UNITS.get(fold(before[1]).lower()) if before and len(before[1]) > 1 else None
            folded = tuple(fold(core).lower() for core in letters)
            name = names.get(folded) or names.get(_read_letters(span)) or (_near_province(folded) if unit == "tỉnh" else None)
            if name is None:
                continue
            fixes = list(zip(span, cores, name))
            if unit:
                fixes.insert(0, (words[i - 1], before, unit))
            for word, (lead, core, tail), right in fixes:
                cased = apply_case(right, core) if core.isupper() or right.islower() else right  # a name's own capitals: H'Drai
                fixed = lead + cased + tail
                if fixed != word.text and word.source not in ("clerk", "text-layer"):
                    word.set_text(fixed, "repair")
            i += size - 1
            free = i + 1
            break
        i += 1


@cache
def _provinces() -> dict[str, tuple[str, ...]]:
    return {" ".join(fold(name).lower().split()): tuple(name.split()) for name in name_section("provinces")}


def _near_province(folded: tuple[str, ...]) -> tuple[str, ...] | None:
    """The one province whose name, marks aside, is a letter from the words after `tỉnh` (`TINH QUANG NGOÀI`:
    Quảng Ngãi), two from ten letters on (`QUÁẢNG NGOÀI`), as many words as they are; or a letter from them with
    one word read in two pieces (`QUẢ ÁNG NGAI`), the second piece then "" in what is returned, a word for each
    word read. None where another province is as near, or the words are short."""
    read = " ".join(folded)
    if len(read) < NEAR_LETTERS:
        return None
    reach = 2 if len(read) >= TWO_LETTERS else 1
    found = []
    for key, name in _provinces().items():
        if len(name) == len(folded) and Levenshtein.distance(key, read) <= reach:
            found.append(name)
        elif len(name) == len(folded) - 1:
            for j in range(len(name)):  # words j and j + 1 read as one
                joined = " ".join((*folded[:j], folded[j] + folded[j + 1], *folded[j + 2 :]))
                if Levenshtein.distance(key, joined) <= 1:
                    found.append((*name[: j + 1], "", *name[j + 1 :]))
                    break
    return found[0] if len(found) == 1 else None


def _only_near(read: str, named: Iterable[tuple[str, T]]) -> T | None:
    """The one name whose key (folded letters) is at most a letter from `read`; none where none or several are."""
    near = [name for key, name in named if Levenshtein.distance(key, read) <= 1]
    return near[0] if len(near) == 1 else None


def _read_letters(span: list[Word]) -> tuple[str, ...]:
    """The letters the OCR read for each word of the span, marks aside, when repair changed them
    (`XA DUC THO` repaired as `XÃ ĐƯỢC THƠ` still spells the document's Đức Thọ); none when a word
    was read with other signs than letters or split from another."""
    read = [_core(w.ocr) for w in span]
    if any(lead or tail or not core.isalpha() for lead, core, tail in read) or all(fold(w.ocr) == fold(w.text) for w in span):
        return ()
    return tuple(fold(core).lower() for _, core, _ in read)


def restore_document(doc: Document) -> Document:
    """Every line of the document (a born-digital layer's words and a clerk's are left as they are), with the
    shipped names and those the document writes itself, twice alike, after a unit (`xã Cẩm Phúc`)."""
    names = {**document_names(doc), **known_names()}
    for line in doc.lines():
        restore_words([w for w in line.words if w.text], names)
    restore_date_place(doc)
    return doc


def restore_date_place(doc: Document) -> None:
    """The date line names the place where the issuer sits, which the header writes after its unit in capitals
    (Decree 30). Where the two spell a name of as many words at most a letter apart, marks aside (`XÃ LONG ĐIỀN A`
    over `Tổng Điền A, ngày`, `PHƯỜNG HÒA KHÁNH BẮC` over `Hòa Khánh Bác, ngày`), one of them is misread, and both
    take the spelling the language model finds `SURER` likelier after the unit; where neither is, both stay."""
    lines = [[w for w in line.words if w.text] for line in doc.lines()]
    for d, line in enumerate(lines):
        place = _date_place([w.text for w in line])
        if place:
            break
    else:
        return
    start = next(i for i in range(len(line)) if line[i].text.strip(",") == place[0] and [w.text.strip(",") for w in line[i : i + len(place)]] == place)
    dated = line[start : start + len(place)]
    for unit, named in (found for header in lines[: d + 1] for found in _header_places(header)):
        if len(named) != len(dated) or Levenshtein.distance(*(" ".join(fold(_core(w.text)[1]).lower() for w in ws) for ws in (named, dated))) > 1:
            continue
        spellings = [tuple(_core(w.text)[1].capitalize() for w in ws) for ws in (named, dated)]
        if spellings[0] == spellings[1]:
            return
        scores = [_logprob([*unit.split(), *spelling, ","]) for spelling in spellings]  # after the unit: `xã Long Điền A,`
        if abs(scores[0] - scores[1]) < SURER:
            return
        right = spellings[scores[1] > scores[0]]
        for word, name in zip([*named, *dated], right * 2):
            lead, core, tail = _core(word.text)
            if core != apply_case(name, core) and word.source not in ("clerk", "text-layer"):
                word.set_text(lead + apply_case(name, core) + tail, "repair")
        return


def _header_places(words: list[Word]) -> Iterator[tuple[str, list[Word]]]:
    """A header line's unit in capitals (`XÃ`, `PHƯỜNG`, `THỊ TRẤN`, `TỈNH`) and the words in capitals after it."""
    texts = [w.text for w in words]
    for i, text in enumerate(texts):
        pair = " ".join(texts[i - 1 : i + 1]) if i else ""
        unit = pair if pair in ("THỊ TRẤN", "THÀNH PHỐ") else text if text in ("XÃ", "PHƯỜNG", "HUYỆN", "QUẬN", "TỈNH") else None
        if unit is None:
            continue
        named = list(takewhile(lambda w: _core(w.text)[1].isupper() and not _core(w.text)[0], words[i + 1 :]))
        if named:
            yield unit.lower(), named


def document_names(doc: Document) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Names of places the document writes in title case after a unit (`huyện Tri Tôn`, `xã Long Điền A`)
    or before the date (`Tri Tôn, ngày 03 tháng 6`), folded -> as written: those written at least twice and always with the same marks. A header in
    capitals, where the OCR slips marks most, takes them from the body (`XÃ CAM PHÚC` -> `XÃ CẨM PHÚC`)."""
    seen: dict[tuple[str, ...], Counter] = {}
    for line in doc.lines():
        texts = [w.text for w in line.words if w.text]
        for i, text in enumerate(texts[:-1]):
            if text not in _LOWER_UNITS and (not i or (texts[i - 1], text) not in (("thị", "trấn"), ("thành", "phố"))):
                continue
            name: list[str] = []
            for word in texts[i + 1 : i + 5]:
                core = word.strip(",.;:()/")
                if not core.isalpha() or not core[0].isupper() or (core.isupper() and len(core) > 1):
                    break
                name.append(core)
                if core != word:  # punctuation ends the name
                    break
            if len(name) >= 2:
                seen.setdefault(tuple(fold(n).lower() for n in name), Counter())[tuple(name)] += 1
        place = _date_place(texts)
        if len(place) >= 2 and all(p.isalpha() and p[0].isupper() and not p.isupper() for p in place):
            seen.setdefault(tuple(fold(n).lower() for n in place), Counter())[tuple(place)] += 1
    return {key: forms.most_common(1)[0][0] for key, forms in seen.items() if len(forms) == 1 and sum(forms.values()) >= 2}


def _date_place(texts: list[str]) -> list[str]:
    """The words of a date line's place: `Cẩm Phúc` of `Cẩm Phúc, ngày 10 tháng 6 năm 2024`, also where an
    earlier OCR wrote the header's two columns on one line (`Số: 17/PA-BCH Ngư Thủy, ngày 18 tháng 3`)."""
    for k in range(1, len(texts) - 1):
        if texts[k] == "ngày" and texts[k - 1].endswith(",") and "tháng" in texts[k + 1 : k + 4]:
            start = k - 1
            while start > max(0, k - 4) and texts[start - 1][:1].isupper() and texts[start - 1].isalpha():
                start -= 1
            return [t.strip(",") for t in texts[start:k]]
    return []


def restore_words(words: list[Word], names: dict[tuple[str, ...], tuple[str, ...]] | None = None) -> None:
    """The place names and a name's surname of one line of words, in place."""
    restore_line(words, names)
    restore_initial(words)
    restore_surname(words)
    restore_given_name(words)
