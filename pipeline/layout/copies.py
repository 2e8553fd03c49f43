"""Blocks printed after a document's signature that carry fields of their own.

A copy's block (Decree 30/2020, Phụ lục I, the form of a copy): `SAO Y`, `SAO LỤC` or `TRÍCH SAO`,
printed after the original's signature with the copying body's name, its own number (`Số: 12/SY-UBND`),
place and date, and its own signature. Recorded apart from the original's fields, which it must not
overwrite: the original's footer ends where the copy's block begins.

A consolidated text's authentication (`XÁC THỰC VĂN BẢN HỢP NHẤT`): the text's first page is the
consolidated instrument's, without issuer, number or date; the consolidating body's name and its
`Số: 46/VBHN-BQP` are printed at the end, beside the place and date, above the signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .footer import parse_footer
from .header import parse_header
from .patterns import find_authority, find_date, find_number, fold_letters, is_upper
from .rows import Row

KINDS = {"SAO Y": "SAO Y", "SAO LUC": "SAO LỤC", "TRICH SAO": "TRÍCH SAO"}


@dataclass
class CopyBlock:
    kind: str  # SAO Y | SAO LỤC | TRÍCH SAO
    issuer: str | None = None
    number: str | None = None
    place: str | None = None
    date: str | None = None
    signer: str | None = None
    authority: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # ids of the block's lines


def _kind(row: Row) -> str | None:
    letters = fold_letters(row.text)  # `SAO Y`, `SAO Y BẢN CHÍNH`: the whole line is the title
    return next((name for key, name in KINDS.items() if letters in (key, f"{key} BAN CHINH")), None)


def _heading(row: Row) -> bool:
    """A line of the block's head: the copying body's name, its number or its date."""
    return (is_upper(row.text) and find_authority(row.text) is None) or bool(find_number(row.text) or find_date(row.text))


def copy_start(rows: list[Row], footer: int, end: int) -> int:
    """Where a copy's block begins among the footer rows `rows[footer:end]` (`end` when there is none):
    at its `SAO Y` line, or at the body's name and number printed before it in the reading order."""
    k = next((i for i in range(footer, end) if _kind(rows[i])), None)
    if k is None:
        return end
    while k - 1 > footer and _heading(rows[k - 1]) and not _kind(rows[k - 1]):
        k -= 1
    return k


def read_copy(rows: list[Row]) -> CopyBlock | None:
    """The copy's block from its rows (as `copy_start` cut them), or None when there are none: its head
    read as a document's header is (body, number, place and date), the rest as its footer."""
    kind = next((_kind(r) for r in rows if _kind(r)), None)
    if kind is None:
        return None
    rest = [r for r in rows if not _kind(r)]
    head = parse_header(rest)
    signature = parse_footer(rest[head.end :]).signature
    return CopyBlock(kind, head.issuer.name, head.number.text if head.number else None, head.place, head.date,
                     signature.name, signature.authority, [r.line for r in rows])


AUTHENTICATION = "XAC THUC VAN BAN HOP NHAT"
AUTHENTICATION_REACH = 30  # rows before it where its number stands: the left column (number, then the recipients) is read whole first


def consolidation(rows: list[Row], start: int) -> tuple[Row, list[Row]] | None:
    """The authentication of a consolidated text (VBHN), looked for after row `start`: its `XÁC THỰC VĂN BẢN
    HỢP NHẤT` line, and the head to read as a header: the body's name above the VBHN number near it, the
    number, and the place and date after it."""
    k = next((i for i in range(start, len(rows)) if fold_letters(rows[i].text).startswith(AUTHENTICATION)), None)
    if k is None:
        return None
    near = rows[max(start, k - AUTHENTICATION_REACH) : k + 4]
    numbered = [i for i, r in enumerate(near) if (found := find_number(r.text)) and "VBHN" in found[2].text]
    head = []
    if numbered:
        body = [r for r in near[: numbered[0]][-2:] if is_upper(r.text) and find_authority(r.text) is None]
        head = [*body, near[numbered[0]]]
    dated = next((r for r in near[near.index(rows[k]) :] if find_date(r.text)), None)
    return rows[k], head + ([dated] if dated else [])
