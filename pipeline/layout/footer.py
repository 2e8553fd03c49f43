"""The footer of an administrative document: `Nơi nhận:` (left column) and the signature block (right column).

With boxes the OCR gives the two columns apart; in text input they are often
merged on one line (`Nơi nhận: TM. ỦY BAN NHÂN DÂN`, `- Sở ...; KT. CHỦ TỊCH`),
so each row is cut where the signature part begins: at an authority prefix
(`TM.`, `KT.`, `Q.`, `TL.`, `TUQ.`) or at a trailing title or name after a
recipient item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..text.places import RANK
from .fields import Signature
from .patterns import (
    ITEM,
    clean_item,
    find_authority,
    fold_letters,
    is_noi_nhan,
    is_upper,
    is_wordy,
    join_lines,
    looks_like_capacity,
    looks_like_name,
    misread_authority,
    tidy,
    undashed,
)
from .rows import Row


FOOTER_ROWS = 11  # rows after the letter's `./.` that are its footer whatever they are
LISTED_SHARE = 0.6  # or more, where this share of them are `-` items


@dataclass
class Footer:
    copies: list[str] = field(default_factory=list)  # the Nơi nhận items, cleaned
    signature: Signature = field(default_factory=Signature)
    unplaced: list[str] = field(default_factory=list)
    signer_lines: list[str] = field(default_factory=list)  # ids of the lines the signer's name was read from


def is_recipients_label(text: str) -> bool:
    """`Nơi nhận:` opening a line (alone, or followed by an item or the signature merged into the line)."""
    if not is_noi_nhan(text):
        return False
    rest = _after_label(text)
    return len(fold_letters(text)) <= 10 or ":" in text[:14] or not rest or bool(ITEM.match(rest)) or is_upper(rest)


def _after_label(text: str) -> str:
    colon = text.find(":", 0, 14)
    if colon >= 0:
        return text[colon + 1 :].strip()
    return " ".join(text.split()[2:])


def footer_start(rows: list[Row], lo: int) -> int:
    """Index of the first footer row at or after `lo` (len(rows) when there is no footer)."""
    for i in range(lo, len(rows)):
        if is_recipients_label(rows[i].text) or find_authority(rows[i].text) is not None:
            return i
    for i in range(len(rows) - 1, lo - 1, -1):
        if rows[i].text.rstrip().endswith("./."):  # the letter's last words: what follows is its footer, if short or
            rest = rows[i + 1 :]  # a list (the recipients, their label unread under a seal), not an appendix
            listed = sum(1 for row in rest if ITEM.match(row.text))
            return i + 1 if len(rest) <= FOOTER_ROWS or listed >= LISTED_SHARE * len(rest) else len(rows)
    printed = [i for i in range(lo, len(rows)) if is_wordy(rows[i].text) and not _stroke(rows[i].text)]  # a signature's strokes aside
    if len(printed) >= 2 and looks_like_name(_unmarked(rows[printed[-1]].text)) and looks_like_capacity(rows[printed[-2]].text):
        start = printed[-2]
        while start - 1 >= lo and looks_like_capacity(rows[start - 1].text):  # a title on two lines
            start -= 1
        return start
    return len(rows)


def _stroke(text: str) -> bool:
    """A signature's strokes that an earlier OCR read as a short word of small letters, and repair as one (`ee` ->
    `cơ`), on a line of their own between the title and the name."""
    words = text.split()
    return len(words) == 1 and len(words[0]) <= 2 and words[0].islower()


# --------------------------------------------------------------------------- cutting rows


def _trailing_signature(text: str) -> int | None:
    """Where a title or name merged after a recipient item starts: `- Các phòng chuyên môn; PHÓ CHỦ TỊCH`."""
    for m in reversed(list(re.finditer(r"[;.,]\s+", text))):
        tail = text[m.end() :].strip()
        if tail and (looks_like_capacity(tail) or looks_like_name(tail) or (is_upper(tail) and len(tail.split()) >= 2)):
            return m.end()
    words = list(re.finditer(r"\S+", text))
    k = len(words)
    while k > 1 and is_upper(words[k - 1].group(), min_letters=1):
        k -= 1
    if len(words) - k >= 2 and looks_like_capacity(text[words[k].start() :]):
        return words[k].start()
    return None


def footer_parts(row: Row, first: bool) -> list[tuple[str, Row]]:
    """Cut a footer row into (side, part): label | left | right | loose (unknown side)."""
    return [(side, replace(part, text=tidy(part.text))) for side, part in _cut(row, first) if tidy(part.text)]


def _cut(row: Row, first: bool) -> list[tuple[str, Row]]:
    text = row.text
    at = find_authority(text)
    if at:
        left = row.part(0, at)
        return [("label" if first and not ITEM.match(left.text) else "left", left), ("right", row.part(at))]
    if at == 0:
        return [("right", row)]
    if is_recipients_label(text):
        rest = _after_label(text)
        label = row.part(0, len(text) - len(rest)) if rest else row
        parts = [("label", label)]
        if rest:
            parts.append(("right" if is_upper(rest) and not ITEM.match(rest) else "left", row.part(len(text) - len(rest))))
        return parts
    if ITEM.match(text):
        cut = _trailing_signature(text)
        return [("left", row.part(0, cut)), ("right", row.part(cut))] if cut else [("left", row)]
    if row.geometric and row.column in ("left", "right"):
        return [(row.column, row)]
    if is_upper(text) or looks_like_name(_unmarked(text)):
        return [("right", row)]
    return [("loose", row)]


# --------------------------------------------------------------------------- reading the parts


_STRAY = re.compile(r"['\"`‘’“”ˆ˜ˇ˘¨´]")  # quotes, and marks read apart from any letter
# A rank printed before the name of a police or army signer (`Trung tá Ngô Văn Công`): not part of the name.
_RANK = re.compile(rf"^{RANK}\s+(?=\S)")


def _unmarked(text: str) -> str:
    """A name without the strokes of the handwritten signature over it, read as quotes (`Huỳnh 'Thị`) or as a small
    letter or two before or inside it (`b "Đặng Văn Minh`, `Nguyễn ên Văn Gấu`), without a speck read at either end
    (`.Lê Thị Hồng Nhung`, `ˆ_ Phan Thị Thu Hà`, `Huỳnh Văn Lợi.`), and without the rank before it."""
    words = _RANK.sub("", " ".join(undashed(tidy(_STRAY.sub("", text))).split())).split()
    name = [w for w in words if not (len(w) <= 2 and w.isalpha() and w.islower())]
    return " ".join(name if len(name) < len(words) and looks_like_name(" ".join(name)) else words)


def _signature(parts: list[str]) -> tuple[Signature, list[str]]:
    """Authority lines, capacity, name from the right column's lines; lines that are none of these."""
    sig = Signature()
    pending: list[str] = []  # upper-case lines after the last authority line
    unplaced: list[str] = []
    for text in parts:
        if find_authority(text) == 0 or (not sig.authority and not pending and misread_authority(text)):
            if pending and sig.authority:
                sig.authority[-1] = " ".join([sig.authority[-1], *pending])
            pending = []
            sig.authority.append(text)
        elif is_upper(text) and is_wordy(text):
            pending.append(text)
        elif looks_like_name(_unmarked(text)):
            sig.name = text = _unmarked(text)
        else:
            unplaced.append(text)
            continue
        sig.lines.append(text)
    sig.capacity = " ".join(pending) or None
    return sig, unplaced


def _unfinished(items: list[str]) -> bool:
    return bool(items) and not items[-1].rstrip().endswith((";", "."))


def parse_footer(rows: list[Row]) -> Footer:
    footer = Footer()
    items: list[str] = []
    right: list[str] = []
    right_rows: list[Row] = []
    for k, row in enumerate(rows):
        for side, part in footer_parts(row, first=k == 0):
            if side == "loose":
                side = "left" if _unfinished(items) else "unplaced"
            if side == "label":
                continue
            if side == "left" and _unfinished(items) and not ITEM.match(part.text):
                items[-1] = join_lines(items[-1], part.text)  # an item wrapped onto the next line
            elif side == "left":
                items.append(part.text)
            elif side == "right":
                right.append(part.text)
                right_rows.append(part)
            else:
                footer.unplaced.append(part.text)
    footer.copies = [clean_item(x) for x in items if clean_item(x)]
    footer.signature, unplaced = _signature(right)
    footer.unplaced.extend(unplaced)
    name = footer.signature.name
    footer.signer_lines = [r.line for r in right_rows if name and (name in _unmarked(r.text) or _unmarked(r.text) in name)]
    return footer
