"""The administrative layout of a document (Decree 30/2020/NĐ-CP, Phụ lục I) as typed dataclasses.

`Structure` is what `structure_document` stores, through `asdict`, in
`Document.structure`; `pipeline/schema/document.schema.json` (`$defs/structure`)
describes the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .patterns import NumberParts
from .rows import PageNumber


@dataclass
class Issuer:
    lines: list[str] = field(default_factory=list)  # as printed, top to bottom
    parent: str | None = None  # cơ quan chủ quản (`UBND HUYỆN PHÚ BÌNH`), when printed
    name: str | None = None  # the issuing body (`ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH`)


@dataclass
class Motto:
    national: str | None = None  # quốc hiệu
    slogan: str | None = None  # tiêu ngữ


@dataclass
class NumberInfo:
    text: str  # `45/BC-UBND`
    sequence: str  # `45`
    type_code: str | None  # `BC` (Phụ lục III); None for a công văn
    issuer_code: str | None  # `UBND`
    unit_code: str | None  # drafting unit of a công văn (`VP` in `125/UBND-VP`)
    printed: str  # the line as read: `Số: 45/BC-UBND`

    @classmethod
    def of(cls, parts: NumberParts, printed: str) -> NumberInfo:
        return cls(parts.text, parts.sequence, parts.type_code, parts.issuer_code, parts.unit_code, printed)


@dataclass
class Section:
    kind: str  # roman | article | arabic | decimal | letter | dash | plus
    number: str  # `III`, `1`, `1.2`, `a`, `-`, `+`
    label: str  # `III.`, `Điều 1.`, `1.2.`, `a)`, `-`
    title: str  # the heading text (for list items and articles: the item's first paragraph)
    line: str  # id of the line the heading starts on
    page_start: int
    page_end: int
    content: list[str | Section] = field(default_factory=list)  # paragraphs (text) and sub-sections, in reading order

    @property
    def children(self) -> list[Section]:
        return [item for item in self.content if isinstance(item, Section)]


@dataclass
class Body:
    preamble: list[str] = field(default_factory=list)  # before the first section: Căn cứ..., QUYẾT ĐỊNH:
    sections: list[Section] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)  # after the sections: `Trên đây là ...`


@dataclass
class Recipients:
    addressees: list[str] = field(default_factory=list)  # Kính gửi
    copies: list[str] = field(default_factory=list)  # Nơi nhận


@dataclass
class Signature:
    authority: list[str] = field(default_factory=list)  # `TM. ỦY BAN NHÂN DÂN`, `KT. CHỦ TỊCH`
    capacity: str | None = None  # `PHÓ CHỦ TỊCH`
    name: str | None = None  # the signer
    lines: list[str] = field(default_factory=list)  # authority, capacity and name lines as printed


@dataclass
class Structure:
    issuer: Issuer
    motto: Motto
    number: NumberInfo | None
    place: str | None
    date: str | None  # ISO 8601
    date_from: str | None  # date line | handwriting (a handwritten day or month) | e-signature (the signing day)
    date_line: str | None  # `An Bình, ngày 14 tháng 3 năm 2025` as read
    doc_type: str | None  # `BÁO CÁO`, ..., `CÔNG VĂN`
    doc_type_from: str | None  # title | number | subject (a `V/v` subject: công văn)
    subject: str | None
    body: Body
    recipients: Recipients
    signature: Signature
    page_numbers: list[PageNumber]
    unplaced: list[str]  # lines of the header and footer that fit no field
    e_signatures: list[dict] = field(default_factory=list)  # layout.esign.ESignature as dicts
    fill_ins: list[dict] = field(default_factory=list)  # layout.fillins: the handwritten number, day and month
    fields: dict[str, dict] = field(default_factory=dict)  # layout.confidence: each field's confidence and lines
    copy: dict | None = None  # layout.copies: a SAO Y copy's own issuer, number, date and signer
    footnotes: list[dict] = field(default_factory=list)  # layout.footnotes: page, mark, text, lines
