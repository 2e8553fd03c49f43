"""The plain text a sample is written in -> the parts of an administrative document to lay out.

One printed line/paragraph per line: issuer, motto, ``Số:``, date, type, subject, body,
``Nơi nhận:``, signature; see :func:`parse_document`. :func:`truth_text` is the text a
perfect OCR of the rendered pages would give.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedDocument:
    """The blocks of an administrative document; ``structured`` is False for the fallback."""

    issuer: tuple[str, ...] = ()
    motto: tuple[str, ...] = ()
    number: tuple[str, ...] = ()
    vv: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    subject: tuple[str, ...] = ()
    addressee: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    structured: bool = True

    def reading_order(self) -> list[str]:
        """Lines as OCR should read them: left header column, right column, then the rest."""
        return [
            *self.issuer, *self.number, *self.vv, *self.motto, *self.date, *self.doc_type,
            *self.subject, *self.addressee, *self.body, *self.recipients, *self.signature,
        ]


_NUMBER_RE = re.compile(r"^s[ốo]\s*[:.]", re.IGNORECASE)
_VV_RE = re.compile(r"^v/v\b", re.IGNORECASE)
_DATE_RE = re.compile(r"\bngày\b.*\btháng\b.*\bnăm\b", re.IGNORECASE)
_AUTH_RE = re.compile(r"^(TM|KT|TL|TUQ|Q|T/M|K/T)\s*\.\s*\S")
_ROMAN_RE = re.compile(r"^([IVXL]+)\.\s+\S")
_NUM_RE = re.compile(r"^(\d+(?:\.\d+)*)\.\s+\S")
_LETTER_RE = re.compile(r"^([a-zđ])\)\s+\S")
_ARTICLE_RE = re.compile(r"^(Điều\s+\d+[a-z]?\.)(\s+.*)?$")
_BASIS_RE = re.compile(r"^(Căn cứ|Xét|Theo đề nghị)\b")


def _clean_lines(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _is_motto(line: str) -> bool:
    up = line.upper().replace("HOÀ", "HÒA")
    return up.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA")


def _is_name(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 6
        and not _is_upper(line)
        and line[-1] not in ".;:,"
        and all(w[0].isupper() for w in words if w[0].isalpha())
    )


def _is_subject(line: str) -> bool:
    return (
        len(line) <= 160
        and not _is_upper(line)
        and line[-1] not in ".;:"
        and not line.startswith(("-", "+", "Kính gửi", "Căn cứ"))
        and not (_ROMAN_RE.match(line) or _NUM_RE.match(line) or _LETTER_RE.match(line))
    )


def _signature_before(lines: list[str], end: int, start: int) -> int | None:
    """Index where a signature block ending just before ``end`` starts (authority + name)."""
    j = end
    names = 0
    while j - 1 >= start and names < 2 and not _is_upper(lines[j - 1]) and (
        _is_name(lines[j - 1]) or lines[j - 1].startswith("(")
    ):
        j -= 1
        names += 1
    k = j
    while k - 1 >= start and j - k < 4 and _is_upper(lines[k - 1]) and len(lines[k - 1]) <= 60:
        k -= 1
    if k == j or not names:
        return None
    if not (_AUTH_RE.match(lines[k]) or j - k <= 2):
        return None
    return k


def parse_document(text: str) -> ParsedDocument:
    """Split document text into layout blocks; falls back to all-body if there is no motto."""
    lines = _clean_lines(text)
    motto_at = next((i for i, ln in enumerate(lines[:6]) if _is_motto(ln)), None)
    if motto_at is None or motto_at == 0 or motto_at > 4:
        return ParsedDocument(body=tuple(lines), structured=False)
    issuer = lines[:motto_at]
    i = motto_at + 1
    motto = [lines[motto_at]]
    if i < len(lines) and lines[i].upper().startswith("ĐỘC LẬP"):
        motto.append(lines[i])
        i += 1
    number: list[str] = []
    vv: list[str] = []
    date: list[str] = []
    while i < len(lines):
        ln = lines[i]
        if _NUMBER_RE.match(ln) and not number:
            number.append(ln)
        elif _VV_RE.match(ln) and not vv:
            vv.append(ln)
        elif _DATE_RE.search(ln) and len(ln) <= 90 and not date:
            date.append(ln)
        else:
            break
        i += 1
    doc_type: list[str] = []
    subject: list[str] = []
    if (
        i < len(lines)
        and _is_upper(lines[i])
        and len(lines[i].split()) <= 8
        and not _AUTH_RE.match(lines[i])
        and not lines[i].upper().startswith("KÍNH GỬI")
    ):
        doc_type.append(lines[i])
        i += 1
        while i < len(lines) and len(subject) < 3 and _is_subject(lines[i]):
            subject.append(lines[i])
            i += 1
    addressee: list[str] = []
    if i < len(lines) and lines[i].lower().startswith("kính gửi"):
        addressee.append(lines[i])
        bare = lines[i].rstrip().endswith(":")
        i += 1
        while bare and i < len(lines) and lines[i].startswith(("-", "+")):
            addressee.append(lines[i])
            i += 1

    rest = lines[i:]
    recip_at = next(
        (k for k in range(len(rest) - 1, -1, -1) if rest[k].lower().startswith("nơi nhận")), None
    )
    recipients: list[str] = []
    signature: list[str] = []
    body_end = len(rest)
    if recip_at is not None:
        sig_at = next(
            (
                k
                for k in range(recip_at + 1, len(rest))
                if not rest[k].startswith(("-", "+")) and (_AUTH_RE.match(rest[k]) or _is_upper(rest[k]))
            ),
            None,
        )
        if sig_at is not None:
            recipients, signature = rest[recip_at:sig_at], rest[sig_at:]
        else:
            recipients = rest[recip_at:]
            before = _signature_before(rest, recip_at, 0)
            if before is not None:
                signature = rest[before:recip_at]
                recip_at = before
        body_end = recip_at
    else:
        before = _signature_before(rest, len(rest), 0)
        if before is not None and len(rest) - before <= 6:
            signature = rest[before:]
            body_end = before
    return ParsedDocument(
        issuer=tuple(issuer), motto=tuple(motto), number=tuple(number), vv=tuple(vv),
        date=tuple(date), doc_type=tuple(doc_type), subject=tuple(subject),
        addressee=tuple(addressee), body=tuple(rest[:body_end]),
        recipients=tuple(recipients), signature=tuple(signature),
    )


def truth_text(text: str) -> str:
    """The document text in OCR reading order, one logical line/paragraph per line."""
    lines = parse_document(text).reading_order()
    return "\n".join(lines) + "\n" if lines else ""
