"""Text rules of the administrative layout (Decree 30/2020/NĐ-CP): keywords, numbers, dates, section markers.

Everything here is a pure function of one line of text. Keywords are matched on
folded text (marks removed, đ -> D, upper case; one character out per character
in, so a match in the folded text is also a span of the original) and tolerate the
digit/letter swaps of an OCR without Vietnamese (`S6` for `Số`, `BAO CA0`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..text.lexicon import DICT_DIR, read_abbreviations
from ..text.tokens import to_roman
from ..text.vietnamese import fold as fold_marks

# --------------------------------------------------------------------------- folding


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    base = fold_marks(ch)
    if len(base) != 1:
        return ch
    upper = base.upper()
    return upper if len(upper) == 1 else base


def fold(text: str) -> str:
    """`An Bình, ngày` -> `AN BINH, NGAY`; same length as `text` (NFC input)."""
    return "".join(_fold_char(ch) for ch in text)


_LOOKALIKE = str.maketrans({"0": "O", "6": "O", "1": "I", "|": "I", "!": "I", "5": "S", "&": "A", "$": "S"})


def fold_letters(text: str) -> str:
    """Folded, OCR digit look-alikes read as letters, anything but letters dropped: for keyword tests."""
    return re.sub(r"[^A-Z]+", " ", fold(text).translate(_LOOKALIKE)).strip()


def similar(a: str, b: str) -> float:
    """0..100: how alike two keyword strings are (after `fold_letters`)."""
    return fuzz.ratio(fold_letters(a), fold_letters(b))


def starts_like(text: str, keyword: str, min_score: float = 80) -> bool:
    """Does `text` begin with (a damaged form of) `keyword`?"""
    head = fold_letters(text)[: len(keyword) + 1]
    return bool(head) and fuzz.ratio(head[: len(keyword)], keyword) >= min_score


def locate(text: str, phrase: str, min_score: float = 80) -> tuple[int, int] | None:
    """Span of `text` holding a (possibly damaged) `phrase` (upper-case, unaccented), widened to whole words."""
    hay = fold(text).translate(_LOOKALIKE)
    if len(hay.strip()) < 0.6 * len(phrase):
        return None
    found = fuzz.partial_ratio_alignment(phrase, hay, score_cutoff=min_score)
    if found is None or found.dest_end - found.dest_start < 0.6 * len(phrase):
        return None
    start, end = found.dest_start, found.dest_end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def upper_ratio(text: str) -> float:
    found = letters(text)
    return sum(c.isupper() for c in found) / len(found) if found else 0.0


def is_upper(text: str, min_letters: int = 3) -> bool:
    """Mostly capital letters (headings, issuer, authority lines); tolerant of a stray lower-case OCR letter."""
    return len(letters(text)) >= min_letters and upper_ratio(text) >= 0.8


def is_wordy(text: str) -> bool:
    """Mostly letters, with a word of two or more: a printed line rather than OCR's reading of a stamp or scribble."""
    chars = [c for c in text if not c.isspace()]
    words = [sum(c.isalpha() for c in w) >= 2 for w in text.split()]
    return bool(chars) and sum(c.isalpha() for c in chars) >= 0.8 * len(chars) and sum(words) >= max(1, 2 * len(words) / 3)


def has_words(text: str) -> bool:
    """A letter or a digit: not a mark read apart from its letter (`ˆ`, `˜`, letters to Unicode)."""
    return any(c.isalnum() and unicodedata.category(c) != "Lm" for c in text)


def join_lines(first: str, second: str) -> str:
    """Join two lines of one paragraph: a code broken after its hyphen (`12/KH-` + `UBND`) joins without a space."""
    first, second = first.rstrip(), second.strip()
    if not first:
        return second
    if not second:
        return first
    if first.endswith("-") and len(first) > 1 and first[-2].isalnum() and second[0].isalnum():
        return first + second
    return f"{first} {second}"


TERMINAL = ".:;!?"


_BULLET = r"^\s*[,.'‘’`]?[-–—•+]"  # a list item's dash or bullet opening a line (after a speck read as a mark: `,- Ban`)
ITEM = re.compile(_BULLET)


def clean_item(text: str) -> str:
    """A list item without its bullet and closing punctuation, and the specks read after it, a low quote mark
    no item closes with among them: `- Lưu: VT, VP.` -> `Lưu: VT, VP`; `Sở Giao thông vận tải; „` -> `Sở Giao thông vận tải`."""
    text = re.sub(rf"{_BULLET}\s*", "", text).strip()
    return re.sub(r"[\s;,.:_|~^*\-–—„‚·]+$", "", text)


def undashed(text: str) -> str:
    """A line without the marks read around it: the rules printed around an issuer line, a speck of a seal or a
    stroke before or after a signer's name (`- SỞ ...`, `... XUYÊN_`, `'TRUNG`, `„.UBND`, `.Lê Thị Hồng`, `Văn Lợi.`)."""
    return re.sub(r"^(?:[^\w(]|_)+|(?:[^\w)]|_)+$", "", text)


def tidy(text: str) -> str:
    """Without the marks-only tokens OCR leaves at either end of a line (`UBND THÀNH PHỐ X ˆ` -> `UBND THÀNH PHỐ X`)."""
    words = text.split()
    while words and not has_words(words[-1]):
        words.pop()
    while words and not has_words(words[0]) and not re.fullmatch(r"[-–—•+]", words[0]):
        words.pop(0)
    return " ".join(words)


def ends_sentence(text: str) -> bool:
    text = text.rstrip().rstrip("\"'”’)")
    return bool(text) and text[-1] in TERMINAL


# --------------------------------------------------------------------------- document types

DOC_TYPES: dict[str, str | None] = {
    # tên loại (Phụ lục III) -> chữ viết tắt
    "BÁO CÁO": "BC",
    "KẾ HOẠCH": "KH",
    "QUYẾT ĐỊNH": "QĐ",
    "NGHỊ QUYẾT": "NQ",
    "THÔNG BÁO": "TB",
    "TỜ TRÌNH": "TTr",
    "BIÊN BẢN": "BB",
    "CHỈ THỊ": "CT",
    "HƯỚNG DẪN": "HD",
    "CHƯƠNG TRÌNH": "CTr",
    "PHƯƠNG ÁN": "PA",
    "ĐỀ ÁN": "ĐA",
    "DỰ ÁN": "DA",
    "QUY CHẾ": "QC",
    "QUY ĐỊNH": "QyĐ",
    "THÔNG CÁO": "TC",
    "HỢP ĐỒNG": "HĐ",
    "CÔNG ĐIỆN": "CĐ",
    "GIẤY MỜI": "GM",
    "GIẤY GIỚI THIỆU": "GGT",
    "GIẤY ỦY QUYỀN": "GUQ",
    "GIẤY NGHỈ PHÉP": "NP",
    "BẢN GHI NHỚ": "GN",
    "BẢN THỎA THUẬN": "TTh",
    "PHIẾU GỬI": "PG",
    "PHIẾU CHUYỂN": "PC",
    "PHIẾU BÁO": "PB",
    "CÔNG VĂN": None,
}
TYPE_OF_CODE = {code: name for name, code in DOC_TYPES.items() if code}


def doc_type_of_line(text: str) -> str | None:
    """The document type a title line names (`BAO CAO` -> `BÁO CÁO`), or None."""
    if text.rstrip().endswith(":") or not is_upper(text) or len(text.split()) > 5:
        return None
    best, score = None, 0.0
    for name in DOC_TYPES:
        s = similar(text, name)
        if s > score:
            best, score = name, s
    return best if score >= 85 else None


# --------------------------------------------------------------------------- number and symbol


@dataclass(frozen=True)
class NumberParts:
    text: str  # canonical `45/BC-UBND`
    sequence: str
    type_code: str | None
    issuer_code: str | None
    unit_code: str | None


_NUMBER_RE = re.compile(
    r"(?<![A-Z0-9])S[O0-9]?\s*[:;.,]?\s*"
    r"(?P<seq>[0-9OIL]{0,4}[0-9][0-9OIL]{0,4}[A-Z]?)\s*/\s*"
    r"(?P<sym>[A-Z0-9&§]+(?:(?:-+\s?|\s-+|\s(?=[A-Z]{1,3}-[A-Z]))[A-Z0-9&§]+)*)"  # `QĐ- BGTVT`, `CT -UBND`, `CA X-QLHC`; not `VP - Lạc Giang, ngày`
)
# A number line whose number was left blank to be written by hand (or written and read as marks):
# `Số:  /CT-UBND`, `Số: 4@` /TB-UBND`, `Sô⁄tT /CT-UBND`; taken only with a hyphenated symbol.
_BLANK_NUMBER_RE = re.compile(
    r"(?<![A-Z0-9])S[O0]\s*[:;.,]?\s*(?P<seq>[^\s/]{0,4})\s*[/\u2044]\s*"
    r"(?P<sym>[A-Z][A-Z0-9&§\u00d0]*(?:(?:-+\s?|\s-+)[A-Z0-9&§\u00d0]+)+)"
)
# A line that is a number and its symbol alone, its `Số:` lost to the handwriting glued to it (`Số:11` read as
# `36⁄1 /CT-UBND`, a real page as a 1-bit scan); taken only where the symbol opens with a document type's code.
_UNLABELLED_NUMBER_RE = re.compile(
    r"^\W*(?P<seq>[^\s/]{0,5}?)\s*/\s*(?P<sym>[A-Z][A-Z0-9&\u00d0]*(?:-+[A-Z0-9&\u00d0]+)+)\W*$"
)
_DIGIT_LIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _unlabelled_number(folded: str) -> re.Match[str] | None:
    m = _UNLABELLED_NUMBER_RE.match(folded)
    return m if m and _code(m.group("sym").split("-")[0]) else None


def find_number(text: str) -> tuple[int, int, NumberParts] | None:
    """`S6:45 /BC-UBND` anywhere in a header line, or `45/BC-UBND` as the whole line -> its span and parts."""
    folded = fold(text)
    m = _NUMBER_RE.search(folded) or _BLANK_NUMBER_RE.search(folded) or _unlabelled_number(folded)
    if not m:
        return None
    sequence = m.group("seq").translate(_DIGIT_LIKE)
    if not sequence.isdigit():
        sequence = ""  # left blank, or handwriting read as marks: the fill-in reader's to give
    symbol = re.sub(r"\s+", "", text[m.start("sym") : m.end("sym")]).replace("§", "8")  # a small 8 read as §: `PA§3`
    return m.start(), m.end(), number_parts(sequence, symbol)


def _code(part: str) -> str | None:
    """The canonical type code a symbol part spells (`QD` -> `QĐ`, `TTR` -> `TTr`, OCR's `TIr` -> `TTr`)."""
    if part in TYPE_OF_CODE:
        return part
    folded = fold(part)
    single = folded.replace("DD", "D")  # OCR reads a crossed D twice (`QĐĐ`); no code has two
    same = [c for c in TYPE_OF_CODE if fold(c) in (folded, single)]
    if same:
        return same[0]
    near = [c for c in TYPE_OF_CODE if len(folded) >= 3 and Levenshtein.distance(fold(c), folded) == 1 and len(c) == len(part)]
    return near[0] if len(near) == 1 else None


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return read_abbreviations(DICT_DIR / "abbreviations.txt")


def _unglued(part: str) -> list[str]:
    """`TTrUBND` -> `TTr`, `UBND`: a type code and a known abbreviation of three letters or more (the issuer) whose
    hyphen the OCR lost on a small scan; a part that is itself known (`PGDĐT`, not `PG`-`DĐT`) stays whole."""
    abbreviations = _abbreviations()
    if part in abbreviations:
        return [part]
    for code in sorted(TYPE_OF_CODE, key=len, reverse=True):
        rest = part[len(code) :]
        if part.startswith(code) and len(rest) >= 3 and rest in abbreviations:
            return [code, rest]
    return [part]


def number_parts(sequence: str, symbol: str) -> NumberParts:
    parts = [p for p in symbol.split("-") if p]
    if len(parts) == 1:
        parts = _unglued(parts[0])
    type_code = _code(parts[0]) if len(parts) > 1 else None
    if type_code:
        issuer, unit = parts[1], "-".join(parts[2:]) or None
    else:
        issuer, unit = (parts[0] if parts else None), "-".join(parts[1:]) or None
    canonical = "-".join(p for p in (type_code, issuer, unit) if p)
    return NumberParts(f"{sequence}/{canonical}", sequence, type_code, issuer, unit)


# --------------------------------------------------------------------------- place and date

# The day and month may be handwritten, read as marks (`ngày4Dtháng`, `ngày ø thủng # năm`): up to
# three characters that are not a date's own are taken for an unread number. `năm` is any short word before
# the year (`ran 2025` on an old OCR's text).
DAY_WORD, YEAR_WORD = r"NG[A-Z]{0,2}Y", r"N[A-Z0-9]{1,2}M?"  # folded, as damaged as taken
# `tháng` as damaged, or misread whole (`Biểng`): any word of four to six letters between a day and a month read as numbers
MONTH_MISREAD = r"[A-Z]{4,6}"
MONTH_WORD = rf"(?:TH[A-Z]{{2,4}}|(?<=[0-9] ){MONTH_MISREAD}(?= [0-9]{{1,2}} ))"
BEFORE_YEAR = r"[A-Z]{2,4}"  # any short word right before the year also stands for `năm`
DAY_WORD_CUT = r"NGA"  # `ngày` whose y a handwritten day overran (`ngàW† tháng 5`): in a date line only
_DATE_RE = re.compile(
    rf"(?:{DAY_WORD}|{DAY_WORD_CUT})\s*(?P<d>[^\s]{{0,3}}?)\s*{MONTH_WORD}\s*(?P<m>[^\s]{{0,3}}?)\s*(?:{YEAR_WORD}|{BEFORE_YEAR}\s)\s*(?P<y>[0-9OIL]{{4}})"
)
_DAY_OR_MONTH = re.compile(r"[0-9OIL]{1,2}")


@dataclass(frozen=True)
class DateMatch:
    start: int  # where `ngày` starts
    end: int
    iso: str | None  # None when the numbers do not make a date


def find_date(text: str) -> DateMatch | None:
    """`ngày 03 tháng 12 năm 2025` (or its damaged forms) in a line -> span and ISO date (None when a
    handwritten day or month is blank or unread)."""
    m = _DATE_RE.search(fold(text))
    if not m:
        return None
    if not (_DAY_OR_MONTH.fullmatch(m.group("d")) and _DAY_OR_MONTH.fullmatch(m.group("m"))):
        return DateMatch(m.start(), m.end(), None)
    day, month, year = (int(m.group(k).translate(_DIGIT_LIKE)) for k in ("d", "m", "y"))
    try:
        iso = dt.date(year, month, day).isoformat()
    except ValueError:
        iso = None
    return DateMatch(m.start(), m.end(), iso)


def place_of(before_date: str) -> str | None:
    """`An Bình, ` -> `An Bình`; `- Lạc Giang,` -> `Lạc Giang` (the gap between the header's columns read as a mark
    where an old OCR's text puts the number and the date on one line)."""
    place = before_date.strip().rstrip(",.;: ").lstrip("-–—~ ").strip()
    return place or None


# --------------------------------------------------------------------------- motto and fixed labels

NATIONAL = "CONG HOA XA HOI CHU NGHIA VIET NAM"
SLOGAN = "DOC LAP - TU DO - HANH PHUC"

# `V/w`: the italic v read as w; `Víw`: the slash read as a letter (no syllable ends in v or w); `V/ trả lời`:
# lost; `— v/w`: a speck before it read as a dash
_VV_RE = re.compile(r"^\s*(?:[-–—~_.'`]\s*)?V\s*(?:[/|I]?\s*[VW]\b\s*[.:]?|/\s)")


def is_vv(text: str) -> bool:
    """A công văn's subject line, `V/v ...` (về việc)."""
    return bool(_VV_RE.match(fold(text)))


def vv_misread(text: str) -> int | None:
    """Where in a công văn's subject line its `V/v` ends, when the OCR read it otherwise (`Vv`, `V/w`, `Víw`,
    `V/ trả lời`, `— v/w`)."""
    m = _VV_RE.match(fold(text))
    if m is None or text[: m.end()].strip().startswith("V/v"):
        return None
    return m.end()


def spell_vv(text: str) -> str:
    """A công văn's subject opened by `V/v` as printed, however the OCR read it."""
    end = vv_misread(text)
    return text if end is None else f"V/v {text[end:].lstrip()}"


def is_kinh_gui(text: str) -> bool:
    return starts_like(text, "KINH GUI", 84)


def is_noi_nhan(text: str) -> bool:
    return starts_like(text, "NOI NHAN", 80)


BODY_STARTERS = ("CAN CU", "THUC HIEN", "THEO DE NGHI", "XET DE NGHI", "TREN DAY", "KINH GUI")


def starts_body_phrase(text: str) -> bool:
    """Lines that always open a paragraph: `Căn cứ ...`, `Thực hiện ...`, `Trên đây ...` (capitalised)."""
    return text.lstrip()[:1].isupper() and any(starts_like(text, k, 88) for k in BODY_STARTERS)


def is_closing(text: str) -> bool:
    """The closing paragraph of a report or plan: `Trên đây là ...`."""
    return text.lstrip()[:1].isupper() and starts_like(text, "TREN DAY", 88)


def ends_document(text: str) -> bool:
    """`./.` closes the body text (Decree 30); OCR may keep only part of it."""
    return text.rstrip().endswith(("./.", "/.", "./"))


# --------------------------------------------------------------------------- signature

_AUTHORITY_RE = re.compile(r"(?:^|(?<=\s))(TM|KT|TL|TUQ|Q|T/M|K/T|['‘’`]?IM)\s?[.,:]\s*(?=\S)")


def find_authority(text: str) -> int | None:
    """Where an authority line (`TM. ỦY BAN NHÂN DÂN`, `KT. CHỦ TỊCH`, `Q.`, `TL.`, `TUQ.`) starts in a line;
    also `TM.` read as `IM.` or `'IM.` (the T's bar taken for a quote), before an upper-case rest."""
    for m in _AUTHORITY_RE.finditer(text):
        rest = text[m.end() :]
        if is_upper(rest, min_letters=4):
            return m.start()
    return None


def misread_authority(text: str) -> bool:
    """`I. TRƯỞNG PHÒNG`: an authority line whose prefix OCR misread (`Q.` as `I.`), told by the title after it."""
    m = re.match(r"^[A-Z0]\s?[.,:]\s+(?=\S)", text)
    return bool(m) and looks_like_capacity(text[m.end() :])


_CAPACITY_WORDS = re.compile(r"\b(CH\S{0,2}\s+T\S{0,2}CH|GI\S{1,2}M\s+D\S{0,2}C|TR\S{0,2}NG|B\S\s+TH\S|CH\S{1,2}NH|PH\S)\b")


def looks_like_capacity(text: str) -> bool:
    """`PHÓ CHỦ TỊCH`, `GIÁM ĐỐC`, `TRƯỞNG PHÒNG`: a signer's title (upper case, a title word)."""
    return is_upper(text) and len(text.split()) >= 1 and bool(_CAPACITY_WORDS.search(fold(text)))


def looks_like_name(text: str) -> bool:
    """`Nguyễn Văn Bình`: two to six capitalised words, no digits or sentence punctuation."""
    words = text.split()
    if not 2 <= len(words) <= 6 or any(c.isdigit() for c in text) or is_upper(text):
        return False
    if text.rstrip()[-1] in ".;:,":
        return False
    return all(w[0].isupper() and sum(c.isalpha() for c in w) >= 1 for w in words)


# --------------------------------------------------------------------------- section markers

RANKS = {"roman": 0, "article": 1, "arabic": 2, "decimal": 3, "letter": 6, "dash": 7, "plus": 8}
LETTER_ORDER = "abcdđeghiklmnopqrstuvxy"


@dataclass(frozen=True)
class Marker:
    kind: str  # roman | article | arabic | decimal | letter | dash | plus
    number: str  # `III`, `1`, `1.2`, `a`, `-`, `+`
    rest: str  # the text after the marker
    value: tuple[int, ...]  # numeric reading for sequence checks

    @property
    def rank(self) -> int:
        return RANKS[self.kind] + (len(self.value) - 2 if self.kind == "decimal" else 0)

    @property
    def label(self) -> str:
        if self.kind == "article":
            return f"Điều {self.number}."
        if self.kind == "letter":
            return f"{self.number})"
        if self.kind in ("dash", "plus"):
            return self.number
        return f"{self.number}."


_ROMAN_VALID = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def roman_value(token: str) -> int | None:
    """`III` -> 3; OCR forms `I11`, `1I`, `Il` read with 1/l/| as I, and `HI` with H for a close pair II."""
    numeral = token.translate(str.maketrans({"1": "I", "l": "I", "|": "I", "!": "I", "H": "II"}))
    if not numeral or not _ROMAN_VALID.match(numeral):
        return None
    total = 0
    for a, b in zip(numeral, numeral[1:] + " "):
        v = _ROMAN_VALUES[a]
        total += -v if b != " " and _ROMAN_VALUES[b] > v else v
    return total


_ARTICLE_RE = re.compile(r"^\s*[DP][I1L][A-Z]?U\s*([0-9OIL]{1,3})\s*[.:]\s*")
_ROMAN_RE = re.compile(r"^\s*([IVXHl1|!]{1,6})\s?[.,](?:\s+|(?=[A-ZĐ]))(?=\S)")
_ROMAN_BARE_RE = re.compile(r"^\s*([IVX]{1,5})\s+(?=\S)")
_DECIMAL_RE = re.compile(r"^\s*(\d{1,2}(?:\s?\.\s?\d{1,2}){1,3})\s?\.?\s+(?=\S)")
_ARABIC_RE = re.compile(r"^\s*(\d{1,2})\s?\.(?:\s+|(?=[^\W\d_]))(?=\S)")
_LETTER_RE = re.compile(r"^\s*([a-zđ])\s?\)\s*(?=\S)")
_BULLET_RE = re.compile(r"^\s*([-–—•+])(?:\s+(?=[^\s\-–—])|(?=[^\s\-–—\d]))")


def _article(text: str) -> list[Marker]:
    m = _ARTICLE_RE.match(fold(text))
    if not m:
        return []
    n = int(m.group(1).translate(_DIGIT_LIKE))
    return [Marker("article", str(n), text[m.end() :].strip(), (n,))]


def _decimal(text: str) -> list[Marker]:
    m = _DECIMAL_RE.match(text)
    if not m:
        return []
    value = tuple(int(p) for p in re.split(r"\s?\.\s?", m.group(1)))
    return [Marker("decimal", ".".join(map(str, value)), text[m.end() :].strip(), value)]


def _roman(text: str) -> Marker | None:
    m = _ROMAN_RE.match(text)
    if not m:
        return None
    token, rest = m.group(1), text[m.end() :].strip()
    value = roman_value(token)
    doubtful = any(c in "1l|!H" for c in token)  # a digit, `l` or `H` read for I: only before an upper-case heading
    if value is None or token == "1" or (doubtful and not is_upper(rest)):
        return None
    return Marker("roman", to_roman(value), rest, (value,))


def _bare_roman(text: str) -> list[Marker]:
    """`II NỘI DUNG`: a Roman numeral whose dot OCR lost, before an upper-case heading."""
    m = _ROMAN_BARE_RE.match(text)
    rest = text[m.end() :].strip() if m else ""
    value = roman_value(m.group(1)) if m else None
    return [Marker("roman", to_roman(value), rest, (value,))] if value and is_upper(rest, min_letters=4) else []


def _numbered(text: str) -> list[Marker]:
    """Roman `III.` and Arabic `3.`, which OCR confuses (`I11.`, `1I.`, `11.`, `l.`): both readings, likelier first."""
    roman = _roman(text)
    digits = re.sub(r"^(\s*)[l|](?=\s?\.)", r"\g<1>1", text)
    m = _ARABIC_RE.match(digits)
    arabic = Marker("arabic", str(int(m.group(1))), digits[m.end() :].strip(), (int(m.group(1)),)) if m else None
    if roman and arabic:
        return [arabic, roman] if text.lstrip()[:1].isdigit() else [roman, arabic]
    return [x for x in (roman, arabic) if x] or _bare_roman(text)


def _listed(text: str) -> list[Marker]:
    m = _LETTER_RE.match(text)
    if m:
        letter = m.group(1)
        return [Marker("letter", letter, text[m.end() :].strip(), (LETTER_ORDER.index(letter) + 1,))]
    m = _BULLET_RE.match(text)
    if m:
        kind = "plus" if m.group(1) == "+" else "dash"
        return [Marker(kind, "+" if kind == "plus" else "-", text[m.end() :].strip(), ())]
    return []


def marker_candidates(text: str) -> list[Marker]:
    """The section markers a line may start with, likelier first (the tree keeps the first that fits)."""
    return _article(text) or _decimal(text) or _numbered(text) or _listed(text)


# --------------------------------------------------------------------------- page numbers

_PAGE_NUMBER_RE = re.compile(r"^\s*(?:[-–—]\s*)?(?:TRANG\s*)?(\d{1,3})(?:\s*/\s*\d{1,3})?(?:\s*[-–—])?\s*$")


def page_number_of(text: str) -> int | None:
    """`5`, `- 5 -`, `Trang 5`, `5/12`: a printed page number, or None."""
    m = _PAGE_NUMBER_RE.match(fold(text))
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None
