"""The mechanics of written Vietnamese: normalization, syllable grammar, tones, folding, case.

Pure functions; nothing here knows about OCR.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

TONE_MARKS = {"\u0300": 2, "\u0301": 1, "\u0303": 4, "\u0309": 3, "\u0323": 5}  # huyền, sắc, ngã, hỏi, nặng
TONE_COMBINING = {v: k for k, v in TONE_MARKS.items()}
VOWEL_MODIFIERS = {"\u0302", "\u0306", "\u031b"}  # circumflex (â ê ô), breve (ă), horn (ơ ư)
BASE_VOWELS = set("aăâeêioôơuưy")
# the letters of Vietnamese outside Latin-1: ă, đ, ơ, ư, and most of its vowels with a tone (ạ, ả, ố...)
BEYOND_LATIN_1 = frozenset(
    letter for letter in {unicodedata.normalize("NFC", v + t) for v in BASE_VOWELS for t in ("", *TONE_MARKS)} | {"đ"} if ord(letter) > 0xFF
)

ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
CODAS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "i", "y", "o", "u", "")
STOP_CODAS = ("c", "ch", "p", "t")

# Vowel nuclei (with optional medial o/u) that may stand before each kind of coda.
NUCLEI = (
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ia", "iê", "yê", "ua", "uô", "ưa", "ươ",
    "oa", "oă", "oe", "uâ", "uê", "uy", "uơ", "uyê", "uya", "oo",
)
# Rhymes that are not written, though nucleus + coda would allow them.
_GLIDE_RHYMES = {
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "iêu", "yêu", "oi", "ôi", "ơi", "ua", "ui",
    "uôi", "ưa", "ưi", "ưu", "ươi", "ươu", "oai", "oay", "oao", "oeo", "uây", "uyu", "uya", "ưa", "uơ",
}


_COMPAT = regex.compile(r"[\uff01-\uff5e\ufb00-\ufb06\u00b4\u02cb\u02ca\u02dc\u00d0\u00f0]")
# Spacing accents as combining marks; the Icelandic eth, which Vietnamese never writes and OCR engines give
# for a crossed D, as đ.
_LOOKALIKES = {"\u00b4": "\u0301", "\u02ca": "\u0301", "\u02cb": "\u0300", "\u02dc": "\u0303", "\u00d0": "\u0110", "\u00f0": "\u0111"}
_ETH_BESIDE_D = regex.compile(r"(?<=[Đđ])[\u00d0\u00f0]|[\u00d0\u00f0](?=[Đđ])")  # one crossed D read twice: GD&ĐÐT, QĐÐ


def nfc(text: str) -> str:
    """Canonical composition, after mapping full-width letters and ligatures to plain ones, the
    spacing accents that legacy encoders leave after a vowel to combining marks and the eth to đ.
    Other compatibility characters (², ¼) are kept: they carry meaning. An eth beside a đ is that đ read
    twice (Tesseract's `vie` reads GD&ĐT as GD&ĐÐT now and then) and is dropped."""
    if not text.isascii():
        text = _COMPAT.sub(lambda m: _LOOKALIKES.get(m.group(0)) or unicodedata.normalize("NFKC", m.group(0)), _ETH_BESIDE_D.sub("", text))
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Syllable:
    onset: str
    rhyme: str  # toneless, with vowel modifiers (e.g. "ương")
    tone: int  # 0 ngang .. 5 nặng


def strip_tone(word: str) -> tuple[str, int]:
    """`nghiệm` -> (`nghiêm`, 5). Keeps case and vowel modifiers. Several tone marks: the last wins."""
    tone = 0
    out = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in TONE_MARKS:
            tone = TONE_MARKS[ch]
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)), tone


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Remove every mark (tones and vowel modifiers) and map đ to d: `Đảng ủy` -> `Dang uy`."""
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        out.append("d" if ch == "đ" else "D" if ch == "Đ" else ch)
    return "".join(out)


def _split_onset(low: str) -> tuple[str, str]:
    for onset in ONSETS:
        if onset and low.startswith(onset):
            rest = low[len(onset) :]
            if onset == "gi" and (not rest or rest[0] not in BASE_VOWELS or rest.startswith(("ê", "i"))):
                # gì, gìn, giêng: the i belongs to the rhyme
                return "g", low[1:]
            if onset == "qu" and not rest:
                continue
            if rest and rest[0] in BASE_VOWELS or onset == "gi":
                return onset, rest
    return "", low


@lru_cache(maxsize=200_000)
def parse(word: str) -> Syllable | None:
    """The syllable's parts when `word` (any case, any tone placement) is a well-formed Vietnamese syllable."""
    toneless, tone = strip_tone(word.lower())
    if not toneless or not toneless.isalpha() or not _marks_on_vowels(word):
        return None
    onset, rhyme = _split_onset(toneless)
    for coda in CODAS:
        if coda and not rhyme.endswith(coda):
            continue
        nucleus = rhyme[: len(rhyme) - len(coda)] if coda else rhyme
        if nucleus not in NUCLEI:
            continue
        if coda in ("i", "y", "o", "u") and nucleus + coda not in _GLIDE_RHYMES:
            continue
        if coda in STOP_CODAS and tone not in (1, 5):
            return None
        if nucleus in ("ia", "ua", "ưa", "uya") and coda:
            continue
        if nucleus in ("iê", "yê", "uô", "ươ", "uyê") and not coda:
            continue
        if nucleus in ("ă", "â", "oă", "uâ") and not coda:
            continue
        if onset in ("k", "gh", "ngh") and not nucleus[0] in "eêiy":
            continue
        if onset in ("c", "g", "ng") and nucleus[0] in "eêi" and not (onset == "g" and nucleus[0] == "i"):
            continue
        if onset == "qu" and nucleus[0] in "ouư":
            continue
        return Syllable(onset, rhyme, tone)
    return None


def is_syllable(word: str) -> bool:
    return parse(word) is not None


def _tone_index(onset: str, rhyme: str, style: str) -> int:
    """Index in `rhyme` of the vowel that carries the tone mark."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in BASE_VOWELS]
    if not vowels:
        return -1
    modified = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    if modified:
        return modified[-1]  # ươ: on ơ; ê, ô, ơ...: on the marked vowel
    first, last = vowels[0], vowels[-1]
    cluster = rhyme[first : last + 1]
    has_coda = last < len(rhyme) - 1
    if len(vowels) == 1 or has_coda:
        return last
    if len(vowels) >= 3:
        return vowels[1]
    if cluster in ("oa", "oe", "uy"):
        return last if style == "new" else first
    return first


def compose(onset: str, rhyme: str, tone: int, style: str = "old") -> str:
    """Build the written syllable with its tone mark in place (`old`: hóa, thủy; `new`: hoá, thuỷ)."""
    if tone == 0:
        return onset + rhyme
    i = _tone_index(onset, rhyme, style)
    if i < 0:
        return onset + rhyme
    marked = unicodedata.normalize("NFC", rhyme[i] + TONE_COMBINING[tone])
    return onset + rhyme[:i] + marked + rhyme[i + 1 :]


def apply_case(word: str, shape: str) -> str:
    """Give `word` the case shape of `shape`: `Số`, `SỐ` or `số`."""
    letters = [c for c in shape if c.isalpha()]
    if not letters:
        return word
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if letters[0].isupper():
        return word[:1].upper() + word[1:].lower()
    return word.lower()


@lru_cache(maxsize=200_000)
def normalize_tone_placement(word: str, style: str = "old") -> str:
    """`hoá` -> `hóa` (old style) or `hóa` -> `hoá` (new); other words unchanged."""
    syl = parse(word)
    if syl is None or syl.tone == 0:
        return word
    return apply_case_chars(compose(syl.onset, syl.rhyme, syl.tone, style), word)


def _marks_on_vowels(word: str) -> bool:
    """Every mark sits on a vowel and there is one tone at most, as in Vietnamese (`Ñ` carries a tilde no tone is,
    `ÒÍ` two tones: neither word is a syllable)."""
    base = ""
    tones = 0
    for ch in unicodedata.normalize("NFD", word):
        if not unicodedata.combining(ch):
            base = ch.lower()
        elif base not in "aeiouy":
            return False
        tones += ch in TONE_MARKS
    return tones <= 1


def apply_case_chars(word: str, shape: str) -> str:
    """Copy the case of `shape` letter by letter onto `word` (same length)."""
    if len(word) != len(shape):
        return apply_case(word, shape)
    return "".join(c.upper() if s.isupper() else c for c, s in zip(word, shape))


WORD_RE = regex.compile(r"\p{L}+")


def normalize_text(text: str, style: str = "old") -> str:
    """NFC, compatibility forms mapped, and every syllable's tone mark placed in the chosen style (a stray mark after
    a word, which the word's letters do not take in, composes with the letter it follows, once the tones are placed)."""
    return unicodedata.normalize("NFC", WORD_RE.sub(lambda m: normalize_tone_placement(m.group(0), style), nfc(text)))
