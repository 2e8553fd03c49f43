"""The header of an administrative document: issuer, motto, number, place and date, type, subject, Kính gửi.

The header rows come first in reading order (OCR reads the left column, then the
right one; text input may have both columns merged on one line). Each row is cut
into segments (motto, number, date, `V/v`, other) wherever those are found, so a
merged line like `PHƯỜNG AN BÌNH Độc lập - Tự do - Hạnh phúc` gives an issuer
line and the slogan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rapidfuzz.distance import Levenshtein

from .fields import Issuer, Motto, NumberInfo
from .patterns import (
    DOC_TYPES,
    ITEM,
    NATIONAL,
    SLOGAN,
    TERMINAL,
    clean_item,
    doc_type_of_line,
    ends_sentence,
    find_date,
    find_number,
    fold,
    is_kinh_gui,
    is_upper,
    is_vv,
    join_lines,
    locate,
    marker_candidates,
    number_parts,
    place_of,
    spell_vv,
    starts_body_phrase,
    starts_like,
    tidy,
    undashed,
)
from .rows import Row

MAX_HEADER_ROWS = 18
STAMP_WORDS = 4  # a row of this many words at most, read on a page above the letterhead, is a stamp's print
STRAY_ROWS, STRAY_CHARS = 4, 12  # stray rows between two addressees: so many at most, so short
KINH_GUI_REACH = 30  # rows from the document's start within which a `Kính gửi:` after stray rows is the header's

# Words that open the name of a body (cơ quan, tổ chức): a new one starts the issuer proper under its parent.
_ORG_HEADS = (
    "UY BAN", "UBND", "HOI DONG", "HDND", "SO", "PHONG", "BAN", "BO", "CUC", "CHI CUC", "TONG CUC",
    "VAN PHONG", "TRUONG", "TRUNG TAM", "CONG AN", "DANG UY", "DANG BO", "THANH UY", "TINH UY",
    "HUYEN UY", "QUAN UY", "MAT TRAN", "DOAN", "HOI", "BENH VIEN", "TRAM", "KHO BAC", "CHI NHANH",
    "VIEN", "TOA AN", "THANH TRA", "CHI BO", "CONG TY", "HOC VIEN", "DAI HOC", "TO", "BCH", "BCD",
)


@dataclass
class Header:
    issuer: Issuer = field(default_factory=Issuer)
    motto: Motto = field(default_factory=Motto)
    number: NumberInfo | None = None
    place: str | None = None
    date: str | None = None
    date_line: str | None = None
    doc_type: str | None = None
    subject: str | None = None
    subject_is_vv: bool = False
    addressees: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    end: int = 0  # index of the first body row
    lines: dict[str, list[str]] = field(default_factory=dict)  # field -> ids of the lines it was read from

    def note(self, name: str, row: Row) -> None:
        ids = self.lines.setdefault(name, [])
        if row.line not in ids:
            ids.append(row.line)


# --------------------------------------------------------------------------- segments


def _caps_prefix(text: str) -> int:
    """Length of an upper-case run of two or more words before a place name: `PHƯỜNG AN BÌNH An Bình, `."""
    words = list(re.finditer(r"\S+", text))
    k = 0
    while k < len(words) and is_upper(words[k].group(), min_letters=1):
        k += 1
    return words[k - 1].end() if 2 <= k < len(words) else 0


def header_segments(row: Row) -> list[tuple[str, Row]]:
    """Cut a header row into (kind, part) in reading order; kinds: national, slogan, number, date, vv, other."""
    text = row.text
    spans: list[tuple[int, int, str]] = []
    for phrase, kind in ((NATIONAL, "national"), (SLOGAN, "slogan")):
        found = locate(text, phrase)
        if found:
            spans.append((*found, kind))
    number = find_number(text)
    if number:
        spans.append((number[0], number[1], "number"))
    date = find_date(text)
    if date:
        start = max([end for _, end, _ in spans if end <= date.start], default=0)
        spans.append((start, date.end, "date"))
    spans = _without_overlaps(sorted(spans))
    parts: list[tuple[str, Row]] = []
    at = 0
    for start, end, kind in spans + [(len(text), len(text), "")]:
        gap = text[at:start].strip()
        if gap:
            parts.append(("vv" if is_vv(gap) else "other", row.part(at, start)))
        if kind:
            parts.append((kind, row.part(start, end)))
        at = max(at, end)
    return [(kind, replace(part, text=tidy(part.text))) for kind, part in parts if tidy(part.text)]


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


# --------------------------------------------------------------------------- issuer


def _opens_body_name(line: str) -> bool:
    folded = re.sub(r"[^A-Z ]", "", fold(line)).split()
    return any(folded[: len(h.split())] == h.split() for h in _ORG_HEADS)


def split_issuer(lines: list[str]) -> tuple[str | None, str | None]:
    """(parent body, issuing body). A line opening a body's name starts a new one: `UBND HUYỆN X` / `PHÒNG NỘI VỤ`
    is a parent and an issuer; `ỦY BAN NHÂN DÂN` / `PHƯỜNG X` is one name on two lines."""
    units: list[list[str]] = []
    for line in lines:
        if not units or _opens_body_name(line):
            units.append([line])
        else:
            units[-1].append(line)
    if not units:
        return None, None
    parent = " ".join(" ".join(u) for u in units[:-1]) or None
    return parent, " ".join(units[-1])


# --------------------------------------------------------------------------- the scan


class _Scan:
    """The header being read row by row."""

    def __init__(self) -> None:
        self.h = Header()
        self.issuer_lines: list[str] = []
        self.vv_rows: list[Row] = []
        self.in_vv = False

    def take(self, row: Row) -> bool:
        """Read one row before the type line; False when the row belongs to the body."""
        segments = header_segments(row)
        known = [k for k, _ in segments if k != "other"]
        if not known and not self._takes_other(row, segments):
            return False
        for kind, part in segments:
            getattr(self, f"_{kind}")(part)
        return True

    def _takes_other(self, row: Row, segments: list[tuple[str, Row]]) -> bool:
        if self.in_vv and self._continues_vv(row):
            return True
        if self._above_motto(row):  # a stamp (SAO Y, a word of it under the number) or a scribble: the header's, unplaced
            return True
        if row.geometric and _speck(row.text):  # a speck of a scan read among the header's rows (`Ẩ.`, `z`, `lỗ`)
            return True
        if row.geometric and len(row.text.split()) <= STAMP_WORDS and not self._started():
            return True  # a stamp's print above the letterhead (the gazette's `TRUNG TÂM CÔNG BÁO`): the header's, unplaced
        seen = self.h.number or self.h.date_line
        # a dash before an issuer line is the rule printed above it, read as a mark
        return all(is_upper(p.text) for _, p in segments) and not seen and not marker_candidates(undashed(row.text))

    def _started(self) -> bool:
        """Some line of the letterhead was read: an issuer's, the number, the date or the motto."""
        return bool(self.issuer_lines or self.h.number or self.h.date_line or self.h.motto.national or self.h.motto.slogan)

    def _above_motto(self, row: Row) -> bool:
        """The row is in one of the header's columns, read before the motto and the date: the header's. A scan is
        read column by column, the left one first, and what stands above the motto in the right one is a stamp."""
        return row.geometric and row.column != "full" and self.h.date_line is None and not (self.h.motto.national or self.h.motto.slogan)

    def _continues_vv(self, row: Row) -> bool:
        if row.geometric:
            return row.column == self.vv_rows[0].column != "full"
        return not row.para_start and len(row.text) <= 60 and not ends_sentence(self.vv_rows[-1].text)

    def _national(self, part: Row) -> None:
        self.in_vv = False
        self.h.motto.national = self.h.motto.national or part.text

    def _slogan(self, part: Row) -> None:
        self.in_vv = False
        self.h.motto.slogan = self.h.motto.slogan or part.text

    def _number(self, part: Row) -> None:
        self.in_vv = False
        if self.h.number is None:
            found = find_number(part.text)
            if found:
                self.h.number = NumberInfo.of(found[2], part.text)
                self.h.note("number", part)

    def _date(self, part: Row) -> None:
        self.in_vv = False
        if self.h.date_line is not None:
            self.h.unplaced.append(part.text)
            return
        found = find_date(part.text)
        before = part.text[: found.start] if found else ""
        caps = _caps_prefix(before)
        if caps:
            self._other(part.part(0, caps))
        self.h.date_line = part.text[caps:].strip()
        self.h.note("date", part)
        self.h.place = place_of(before[caps:])
        self.h.date = found.iso if found else None

    def _vv(self, part: Row) -> None:
        self.in_vv = True
        self.vv_rows.append(part)
        self.h.note("subject", part)

    def _other(self, part: Row) -> None:
        if self.in_vv and self._continues_vv(part):
            self.vv_rows.append(part)
            self.h.note("subject", part)
        elif is_upper(part.text) and self.h.number is None and self.h.date_line is None and not _NUMBER_LABEL.match(part.text):
            self.issuer_lines.append(undashed(part.text))
            self.h.note("issuer", part)
        else:
            self.h.unplaced.append(part.text)


_NUMBER_LABEL = re.compile(r"^\W*S[ốoôồổ6]\s*:\s*\d")  # `Số: 812TRC SKHCN`: the number, its symbol unread, no issuer line


def _speck(text: str) -> bool:
    """A row no line of the header is: two letters at most, and no digit."""
    return sum(c.isalpha() for c in text) <= 2 and not any(c.isdigit() for c in text)


def _opens_subject(row: Row) -> bool:
    if is_upper(row.text) or starts_body_phrase(row.text) or marker_candidates(row.text) or is_kinh_gui(row.text):
        return False
    if starts_like(row.text, "VE VIEC", 85):  # a subject however it is set (a long one fills the line)
        return True
    return row.centred if row.geometric else len(row.text) <= 110


def _continues_subject(previous: Row, row: Row) -> bool:
    if not _opens_subject(row) or previous.text.rstrip()[-1:] in TERMINAL:
        return False
    return not row.para_start if not row.geometric else row.centred and not row.gap and row.page == previous.page


def _subject_rows(rows: list[Row], i: int) -> list[Row]:
    """The subject under the type line; a long one fills its first line (not centred, not indented, and right under
    the type line, or further down where a centred line goes on from it, or `Kính gửi:` or a paragraph that always
    opens the body (`Căn cứ`) follows it, the line unfinished: a poor scan's lines stand further apart), its last
    centred."""
    first = rows[i] if i < len(rows) else None
    after = rows[i + 1] if i + 1 < len(rows) else None
    closed = after is not None and (
        after.centred and not after.gap
        or is_kinh_gui(after.text)
        or first is not None and after.para_start and starts_body_phrase(after.text) and first.text.rstrip()[-1:] not in TERMINAL
    )
    if first and first.geometric and first.full and not first.indent and (not first.gap or closed) and _opens_subject(replace(first, centred=True)):
        rows = [*rows[:i], replace(rows[i], centred=True), *rows[i + 1 :]]
    taken: list[Row] = []
    while i + len(taken) < len(rows) and len(taken) < 6:
        row = rows[i + len(taken)]
        if not (_continues_subject(taken[-1], row) if taken else _opens_subject(row)):
            break
        taken.append(row)
    return taken


def _dash_after(rows: list[Row], i: int) -> bool:
    """The row after rows[i] opens a `-` item: rows[i] is inside the list, an item's wrapped end."""
    return i + 1 < len(rows) and bool(ITEM.match(rows[i + 1].text))


def _strays_before_item(rows: list[Row], i: int) -> int:
    """How many short rows (STRAY_CHARS at most) from rows[i] stand before the next `-` item, STRAY_ROWS at most:
    a stamp's words or handwriting read between two addressees (`: nụ`, `Nx`, `c`), the first of which ends with `;`;
    0 where no item follows them."""
    for k in range(i, min(len(rows), i + STRAY_ROWS + 1)):
        if ITEM.match(rows[k].text):
            return k - i
        if len(rows[k].text.strip()) > STRAY_CHARS:
            return 0
    return 0


def _kinh_gui(rows: list[Row], i: int, h: Header, first: Row | None = None) -> int:
    """`Kính gửi: ...` (one addressee, or a `-` list): the addressees; returns the next row's index.
    `first`: a `Kính gửi:` read earlier, in the left column, whose list follows the right column's date."""
    if first is None:
        if i >= len(rows) or not is_kinh_gui(rows[i].text):
            return i
        first = rows[i]
        i += 1
    colon = first.text.find(":")
    rest = first.text[colon + 1 :].strip() if colon >= 0 else " ".join(first.text.split()[2:])
    items = [rest] if rest else []
    h.note("addressees", first)
    previous = first
    while i < len(rows):
        row = rows[i]
        dash = bool(ITEM.match(row.text))
        if not re.search(r"\w{2}", row.text):  # a stamp or a seal's edge read as marks between the items
            i += 1
            continue
        if items and items[-1].rstrip().endswith((";", ",")) and (strays := _strays_before_item(rows, i)):  # the list goes on
            h.unplaced += [r.text for r in rows[i : i + strays]]
            i += strays
            continue
        if dash:
            items.append(row.text)
        elif items and not ends_sentence(items[-1]) and (previous.full or previous.centred and row.centred or _dash_after(rows, i)):
            items[-1] = join_lines(items[-1], row.text)
        else:
            break
        h.note("addressees", row)
        previous = row
        i += 1
    h.addressees = [clean_item(x) for x in items if clean_item(x)]
    return i


def parse_header(rows: list[Row]) -> Header:
    """The header fields and the index of the first body row."""
    scan = _Scan()
    h = scan.h
    i = 0
    waiting: Row | None = None  # `Kính gửi:` in the left column: the right column (motto, date) comes first
    while i < min(len(rows), MAX_HEADER_ROWS):
        row = rows[i]
        if is_kinh_gui(row.text) and row.column == "left" and waiting is None:
            waiting = row
            i += 1
            continue
        # the left column above the number is the issuer's (`PHƯỜNG MỸ AN` is no `PHƯƠNG ÁN`)
        issuer_zone = row.geometric and row.column == "left" and h.number is None
        name = None if issuer_zone else doc_type_of_line(row.text)
        if name and h.doc_type is None:
            h.doc_type = name
            h.note("doc_type", row)
            subject = _subject_rows(rows, i + 1)
            if subject:
                h.subject = _joined(subject)
                for part in subject:
                    h.note("subject", part)
            i += 1 + len(subject)
            break
        if is_kinh_gui(row.text) or starts_body_phrase(row.text) or not scan.take(row):
            break
        i += 1
    if scan.vv_rows and h.subject is None:
        h.subject, h.subject_is_vv = spell_vv(_joined(scan.vv_rows)), True
    h.issuer = Issuer(scan.issuer_lines, *split_issuer(scan.issuer_lines))
    h.number = typed_number(h.number, h.doc_type)
    if waiting is None and h.doc_type is None:
        i = _past_strays(rows, i, h)
    h.end = _kinh_gui(rows, i, h, waiting)
    return h


def _past_strays(rows: list[Row], i: int, h: Header) -> int:
    """Where a công văn's `Kính gửi:` comes within KINH_GUI_REACH rows, no paragraph opening before it (`Thực hiện`,
    `Căn cứ`): its row, and the rows between stay the header's, unplaced. A note typed or written beside the subject,
    or a stamp of receipt, read between them ended the header; the body opens after the addressees."""
    for j in range(i, min(len(rows), KINH_GUI_REACH)):
        if is_kinh_gui(rows[j].text):
            h.unplaced += [row.text for row in rows[i:j]]
            return j
        if starts_body_phrase(rows[j].text):
            break
    return i


def typed_number(number: NumberInfo | None, doc_type: str | None) -> NumberInfo | None:
    """A number whose type code the OCR misread by a letter (`77/QB-UBND` under the title QUYẾT ĐỊNH)
    takes the code of the type the title names; a number with a type code of its own is left."""
    code = DOC_TYPES.get(doc_type or "")
    if number is None or code is None or number.type_code is not None or not number.unit_code:
        return number
    read = number.issuer_code or ""
    if len(read) != len(code) or Levenshtein.distance(fold(read), fold(code)) != 1:
        return number
    return NumberInfo.of(number_parts(number.sequence, f"{code}-{number.unit_code}"), number.printed)


def _joined(rows: list[Row]) -> str:
    text = ""
    for row in rows:
        text = join_lines(text, row.text)
    return _OPEN_QUOTE.sub("", text)


# a quote opening a word of the subject that no quote after it closes (`'Tổ chức ... lần thứ 'VII`): a speck's
_OPEN_QUOTE = re.compile(r"(?:^|(?<=\s))['‘`´\"“](?=\w)(?!.*[\w.,;!?)]['’\"”])")
