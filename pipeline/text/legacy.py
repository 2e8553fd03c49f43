"""Legacy Vietnamese encodings to Unicode: TCVN3 (ABC), VNI-Windows and VISCII, as raw bytes or as mojibake.

Before Unicode, Vietnamese was typed in 8-bit fonts. Their bytes, read as Windows-1252 or Latin-1 (a PDF
text layer, a mis-saved `.txt`), give mojibake: TCVN3 `Céng hoµ`, VNI `Coäng hoøa` for `Cộng hoà`.

The tables are written from the published standards:
- VISCII (RFC 1456): one byte a letter for all 134 letters, 6 capitals in C0 and 32 in C1.
- TCVN3 (TCVN 5712:1993, code table VN3, the ABC fonts .VnTime...): the 67 lowercase letters, the 7
  capitals without tone Ă Â Ê Ô Ơ Ư Đ. A capital with a tone mark has no code: it is typed with the
  lowercase code in a capital font (.VnTimeH...), which shows every letter as a capital (`capitals`).
- VNI-Windows (VNI-Times...): a base letter followed by a mark byte (`aù` á, `aâ` â, `aá` ấ, `aê` ă...);
  ơ ư đ and i, ỵ with their tones are single bytes.

Detection is per line and only by evidence: a reading is kept when it turns words into valid Vietnamese
syllables (the inventory of `dictionaries/syllables.txt`) that were not valid before. A line holding any
character that no 8-bit byte read as Windows-1252 or Latin-1 can give (ộ, ư, đ...) is already Unicode and
never touched. Short lines with little evidence follow the encoding the clear lines of the same text chose.
Pure functions.
"""

from __future__ import annotations

import string
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

import regex

from ..errors import InputError
from .lexicon import DICT_DIR
from .vietnamese import normalize_tone_placement

FAMILIES = ("tcvn3", "vni", "viscii")  # the encodings fix_text and decode_bytes try, in order of preference
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # ngang, sắc, huyền, hỏi, ngã, nặng

# VISCII (RFC 1456): 0x80..0xFF, sixteen to a row, and the six capitals it puts among the C0 controls.
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"
    "Õắằặấầẩậẽẹếềểễệố"
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"
    "àáâãảăữẫèéêẻìíĩỉ"
    "đựòóôõỏọụùúũủýợỮ"
)
_VISCII_C0 = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}

# TCVN3 (TCVN 5712:1993 VN3): 0xA0..0xFF, sixteen to a row; "-" where VN3 assigns no letter.
_TCVN3_HIGH = (
    "-ĂÂÊÔƠƯĐăâêôơưđ-"
    "-----àảãáạ-ằẳẵắ-"
    "------ặầẩẫấậè-ẻẽ"
    "éẹềểễếệìỉ---ĩíịò"
    "-ỏõóọồổỗốộờởỡớợù"
    "-ủũúụừửữứựỳỷỹýỵ-"
)

# VNI-Windows: the mark bytes that follow a base letter, and the letters that are one byte.
_VNI_TONE = "ùøûõï"  # sắc, huyền, hỏi, ngã, nặng after a e o u y ơ ư
_VNI_CIRCUMFLEX = "âáàåãä"  # â ê ô without tone, then with the five tones, after a e o
_VNI_BREVE = "êéèúüë"  # ă without tone, then with the five tones, after a
_VNI_ONE_BYTE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}

# What an unmapped byte shows: Windows-1252, its five unassigned bytes kept as the C1 controls, as
# Windows itself and browsers read them; or Latin-1.
CP1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))
LATIN1 = "".join(map(chr, range(256)))
_CP1252_BYTE = {ch: b for b, ch in enumerate(CP1252)}

_WORD_EDGES = string.punctuation + string.digits
_ASCII_SPACE = regex.compile(r"[ \t\r\f\v]+")  # not str.split: U+0085 and U+00A0 can be letters here
_LETTERS = regex.compile(r"\p{L}+")
_CLEAR_GAIN, _CLEAR_SHARE = 2, 0.6  # a line decides alone: two more valid syllables, 60% of the words changed


def letter(base: str, tone: int) -> str:
    """`letter("ơ", 5)` -> `ợ`: a base letter with a tone (index in TONES), NFC."""
    return unicodedata.normalize("NFC", base + TONES[tone])


def _byte_table(high: str, start: int) -> dict[str, str]:
    return {chr(start + i): ch for i, ch in enumerate(high) if ch != "-"}


def _vni_table() -> dict[str, str]:
    lower: dict[str, str] = dict(_VNI_ONE_BYTE)
    for base, code in (("a", "a"), ("e", "e"), ("o", "o"), ("u", "u"), ("y", "y"), ("ơ", "ô"), ("ư", "ö")):
        pairs = {code + mark: letter(base, tone) for tone, mark in enumerate(_VNI_TONE, start=1)}
        lower.update({c: ch for c, ch in pairs.items() if ch not in _VNI_ONE_BYTE.values()})  # ỵ is î alone
    for code, base in (("a", "â"), ("e", "ê"), ("o", "ô")):
        lower.update({code + mark: letter(base, tone) for tone, mark in enumerate(_VNI_CIRCUMFLEX)})
    lower.update({"a" + mark: letter("ă", tone) for tone, mark in enumerate(_VNI_BREVE)})
    return {**lower, **{code.upper(): ch.upper() for code, ch in lower.items()}}


_VIETNAMESE_LETTERS = frozenset(
    [ch for base in "aăâeêioôơuưy" for tone in range(len(TONES)) for ch in (letter(base, tone), letter(base, tone).upper())]
    + ["đ", "Đ"]
)

TABLES: dict[str, dict[str, str]] = {
    "tcvn3": _byte_table(_TCVN3_HIGH, 0xA0),
    "vni": _vni_table(),
    "viscii": {**_byte_table(_VISCII_HIGH, 0x80), **{chr(b): ch for b, ch in _VISCII_C0.items()}},
}
"""Each encoding's codes (one or two bytes, as the characters of their Latin-1 reading) -> the letter."""


@cache
def _code_pattern(family: str) -> regex.Pattern[str]:
    codes = sorted(TABLES[family], key=len, reverse=True)
    return regex.compile("|".join(regex.escape(c) for c in codes) + "|.", regex.DOTALL)


def convert(view: str, family: str, shown: str = CP1252, capitals: bool = False) -> str:
    """Bytes (as their Latin-1 reading `view`) in a legacy encoding -> Unicode NFC, by the table alone; a
    byte that is no letter of the encoding becomes what `shown` (CP1252 or LATIN1) makes of it.
    `capitals`: TCVN3 bytes typed in a capital font, so every letter is a capital."""
    table = TABLES[family]
    text = _code_pattern(family).sub(lambda m: table.get(m.group()) or shown[ord(m.group())], view)
    return unicodedata.normalize("NFC", text.upper() if capitals else text)


# TCVN3 has no code for a capital with a tone mark: `Ủy ban` (the institution, 98.7% of `ủy ban` in
# vn-legal) comes out `ủy ban` unless a capital font was used; the convention puts the capital back.
_COMMITTEE = regex.compile(r"(?<![\p{L}])(ủy|uỷ)(?= ban\b)")


def _read(view: str, family: str, shown: str = CP1252) -> str:
    """`convert`, and for TCVN3 the words a capital font typed put in capitals, `Ủy ban` capitalised."""
    text = convert(view, family, shown)
    return _COMMITTEE.sub(lambda m: m.group().capitalize(), _capital_font(text)) if family == "tcvn3" else text


def _capital_font(line: str) -> str:
    """TCVN3 `CéNG` reads `CộNG`: capitals typed around a lowercase code are a capital font's word -> CỘNG.
    A line without a lowercase ASCII letter, with two such words or three capitals, is all in that font
    (`ñY BAN NH¢N D¢N X·` -> ỦY BAN NHÂN DÂN XÃ)."""
    words = sum(_capital_font_word(m.group()) for m in _LETTERS.finditer(line))
    capitals = sum(ch.isupper() for ch in line)
    if (words >= 2 or capitals >= 3) and not any(ch.islower() and ch.isascii() for ch in line):
        return line.upper()
    return _LETTERS.sub(lambda m: m.group().upper() if _capital_font_word(m.group()) else m.group(), line)


def _capital_font_word(word: str) -> bool:
    capitals = sum(ch.isupper() for ch in word)
    return capitals >= 2 and any(ch.islower() for ch in word) and not any(ch.islower() and ch.isascii() for ch in word)


@cache
def _syllables() -> frozenset[str]:
    words = (DICT_DIR / "syllables.txt").read_text("utf-8").split()
    return frozenset(normalize_tone_placement(w.lower()) for w in words)


def is_valid(word: str) -> bool:
    """A known Vietnamese syllable, in any case and either tone placement (`hoà`, `HÒA`), punctuation aside."""
    core = word.strip(_WORD_EDGES).lower()
    return bool(core) and normalize_tone_placement(core) in _syllables()


def _evidence(word: str) -> bool:
    """A valid syllable of two letters or more: one-letter syllables (à, ạ, ở) come too easily from a symbol."""
    return len(word.strip(_WORD_EDGES)) >= 2 and is_valid(word)


@dataclass(frozen=True)
class Reading:
    """One way to read a line: the family (or `utf-8`), the text, and its evidence against the line as given."""

    family: str
    text: str
    gain: int  # words that became valid syllables (of two letters or more), less those that stopped being
    share: float  # of the words this reading changes, the share that are valid syllables after
    lost: int  # words that were valid syllables and are not after
    cleaned: int  # words that held a character foreign to Vietnamese (§, µ, Ñ) and no longer do, less the reverse

    @property
    def clear(self) -> bool:
        """Enough evidence to decide the line alone."""
        return self.gain >= _CLEAR_GAIN and self.share >= _CLEAR_SHARE

    @property
    def weak(self) -> bool:
        """Enough to follow the encoding the rest of the text chose: some gain, and nothing spoilt."""
        return self.lost == 0 and self.gain >= 0 and self.cleaned >= 0 and self.gain + self.cleaned >= 1


def reading(family: str, before: str, after: str) -> Reading:
    """Compare a line as given (`before`) with a reading of it (`after`), word by word."""
    pairs = [(b, a) for b, a in zip(_ASCII_SPACE.split(before), _ASCII_SPACE.split(after)) if b != a]
    return Reading(
        family,
        after,
        gain=sum(_evidence(a) for _, a in pairs) - sum(_evidence(b) for b, _ in pairs),
        share=sum(is_valid(a) for _, a in pairs) / len(pairs) if pairs else 0.0,
        lost=sum(is_valid(b) and not is_valid(a) for b, a in pairs),
        cleaned=sum(_foreign(b) for b, _ in pairs) - sum(_foreign(a) for _, a in pairs),
    )


def _foreign(word: str) -> bool:
    return any(not ch.isascii() and ch not in _VIETNAMESE_LETTERS for ch in word)


def byte_view(line: str) -> tuple[str, str] | None:
    """The bytes a mojibake line came from (as their Latin-1 reading) and how they were shown, or None
    when the line holds a character no single byte gives in Windows-1252 or Latin-1 (it is Unicode)."""
    if all(ord(ch) < 256 for ch in line):
        return line, LATIN1
    if all(ch in _CP1252_BYTE for ch in line):
        return "".join(chr(_CP1252_BYTE[ch]) for ch in line), CP1252
    return None


def _mojibake_readings(line: str, families: tuple[str, ...]) -> list[Reading]:
    view = None if line.isascii() else byte_view(line)
    if view is None:
        return []
    return [reading(f, line, _read(view[0], f, view[1])) for f in families]


def _choose(lines: list[list[Reading]], prior: str | None = None) -> list[Reading | None]:
    """Per line, the reading with clear evidence; lines without it take the family the clear lines
    chose (or `prior`) when that family's reading of them is at least weakly better; else None."""
    chosen: list[Reading | None] = [_clear_best(readings) for readings in lines]
    votes = Counter(r.family for r in chosen if r is not None)
    family = votes.most_common(1)[0][0] if votes else prior
    for i, readings in enumerate(lines):
        if chosen[i] is None:
            chosen[i] = next((r for r in readings if r.family == family and r.weak), None)
    return chosen


def _clear_best(readings: list[Reading]) -> Reading | None:
    clear = sorted((r for r in readings if r.clear), key=lambda r: (-r.gain, -r.share))
    if len(clear) > 1 and (clear[0].gain, clear[0].share) == (clear[1].gain, clear[1].share):
        return None  # two encodings read the line equally well: let the rest of the text decide
    return clear[0] if clear else None


def _families_found(chosen: list[Reading | None]) -> str | None:
    counts = Counter(r.family for r in chosen if r is not None)
    return "+".join(f for f, _ in counts.most_common()) or None


def fix_text(text: str, capitals: bool = False) -> tuple[str, str | None]:
    """Text that may hold legacy mojibake -> (Unicode NFC text, encoding found).

    The encoding is "tcvn3", "vni" or "viscii", several joined by "+" (most lines first) when lines of
    the text differ, or None when nothing was converted (the text is then returned unchanged). Each line
    is decided alone (see the module doc). `capitals`: the text came from a TCVN3 capital font
    (.VnTimeH...; `font_capitals`), so only TCVN3 is tried, even a short line converts, and the whole
    result is in capitals, as the font shows it.
    """
    families = ("tcvn3",) if capitals else FAMILIES
    lines = text.split("\n")
    chosen = _choose([_mojibake_readings(line, families) for line in lines], "tcvn3" if capitals else None)
    out = "\n".join(r.text if r is not None else line for r, line in zip(chosen, lines))
    return (out.upper() if capitals else out), _families_found(chosen)


def _byte_readings(line: bytes) -> list[Reading]:
    view = line.decode("latin-1")
    shown = view.translate(dict(enumerate(CP1252)))  # the line as Windows-1252 shows it: the baseline
    readings = [reading(f, shown, _read(view, f)) for f in FAMILIES]
    try:
        readings.insert(0, reading("utf-8", shown, line.decode("utf-8")))
    except UnicodeDecodeError:
        pass
    return readings


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Bytes -> (Unicode NFC text, encoding found), line by line; valid UTF-8 is simply "utf-8".

    Each line is read in TCVN3, VNI and VISCII (and UTF-8 where it is valid UTF-8) and the reading with
    clear evidence wins; lines without any take the family of the clear lines. The encoding is the
    families found joined by "+", most lines first ("tcvn3", "vni+utf-8"). Raises InputError when no
    line reads clearly as Vietnamese in any legacy encoding.
    """
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    lines = data.split(b"\n")
    chosen = _choose([[] if line.isascii() else _byte_readings(line) for line in lines])
    found = _families_found(chosen)
    legacy = [f for f in (found or "").split("+") if f in FAMILIES]
    if found is None or not legacy:
        raise InputError(
            f"the text is not UTF-8 (invalid byte 0x{data[bad]:02x} at offset {bad}) and does not read as "
            f"Vietnamese in any legacy encoding tried ({', '.join(f.upper() for f in FAMILIES)}); "
            "convert it to UTF-8 and try again"
        )
    return "\n".join(r.text if r is not None else _undecided(line, legacy[0]) for r, line in zip(chosen, lines)), found


def _undecided(line: bytes, family: str) -> str:
    """A line without evidence of its own: ASCII or UTF-8 when it is, else the text's main legacy family."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return _read(line.decode("latin-1"), family)


_STYLE_SUFFIX = regex.compile(r"(?:[-,_ ]*(?:Bold|Italic|Oblique|Regular|Normal|MT|PS))+$")
_SUBSET_PREFIX = regex.compile(r"^[A-Z]{6}\+")


def font_capitals(font_name: str) -> bool:
    """A TCVN3 capital font (.VnTimeH, .VnArialH, `ABCDEF+.VnTimeH,Bold`): its lowercase codes show as capitals."""
    name = _STYLE_SUFFIX.sub("", _SUBSET_PREFIX.sub("", font_name.strip()))
    return name.lower().startswith(".vn") and name.endswith("H")

