"""How far each header and signature field can be trusted: its value, the lines it was read from, a
confidence, and a flag for the clerks when the parser doubts it.

A field's confidence is the confidence of the words it was read from (the lowest, over every word of
every line it came from: one doubtful word, a handwritten blank read as nothing, makes the field
doubtful; on the 16 real scans this flags 30 of the 42 wrong fields, the mean 26), times what the parse
itself says: a type told by the number's code rather than a title line, a date taken from the
e-signature or from handwriting, a number whose sequence is blank, a signer whose name opens with no
known surname (its first word lost under a seal, `Trung Chỉnh`, or misread, `Lễ`). A field that was not found has
confidence 0. Below `FLAG_BELOW` it is flagged, and the least confident word of each line it was read
from goes to the clerks' queue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..model import Document
from ..text.places import is_surname

FLAG_BELOW = 0.8
FIELDS = ("issuer", "number", "place", "date", "doc_type", "subject", "addressees", "signer")
# what the parse says of a field told one way or another (1 when it is read where it is printed)
DOC_TYPE_FROM = {"title": 1.0, "authentication": 1.0, "subject": 0.9, "number": 0.8}
DATE_FROM = {"date line": 1.0, "handwriting": 0.6, "e-signature": 0.6}
NO_SURNAME = 0.7  # a signer's name whose first word is no surname the project knows (dictionaries/names.txt)


@dataclass
class FieldInfo:
    value: Any
    conf: float
    lines: list[str]
    flag: bool


def _line_confidence(doc: Document) -> dict[str, float]:
    confidence = {}
    for line in doc.lines():
        words = [w.conf for w in line.words]
        confidence[line.id] = min(words) if words else 0.0
    return confidence


def fields(doc: Document, structure: dict[str, Any], lines: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Each field of the parsed `structure` with its confidence; `lines`: field -> ids of the lines it came from."""
    by_line = _line_confidence(doc)
    number = structure.get("number") or {}
    values = {
        "issuer": (structure.get("issuer") or {}).get("name"),
        "number": number.get("text"),
        "place": structure.get("place"),
        "date": structure.get("date"),
        "doc_type": structure.get("doc_type"),
        "subject": structure.get("subject"),
        "addressees": (structure.get("recipients") or {}).get("addressees") or None,
        "signer": (structure.get("signature") or {}).get("name"),
    }
    told = {
        "doc_type": DOC_TYPE_FROM.get(structure.get("doc_type_from") or "", 1.0),
        "date": DATE_FROM.get(structure.get("date_from") or "", 1.0),
        "number": 1.0 if number.get("sequence") else 0.3,
        "signer": 1.0 if values["signer"] and is_surname(values["signer"].split()[0]) else NO_SURNAME,
    }
    source = {**lines, "place": lines.get("date", [])}
    out = {}
    for name in FIELDS:
        ids = source.get(name, [])
        read = [by_line[i] for i in ids if i in by_line]
        conf = 0.0 if values[name] is None else min(read, default=1.0) * told.get(name, 1.0)
        out[name] = asdict(FieldInfo(values[name], round(conf, 3), ids, conf < FLAG_BELOW))
    return out


def flag_doubtful(doc: Document, found: dict[str, dict[str, Any]]) -> None:
    """Bring each line a doubtful field was read from to the clerks: its least confident word is flagged,
    unless a word of it already is (a handwritten blank) or a clerk has settled them."""
    lines = {line_id for info in found.values() if info["flag"] for line_id in info["lines"]}
    for line in doc.lines():
        open_words = [w for w in line.words if w.source != "clerk" and w.text]
        if line.id in lines and open_words and not any(w.flag for w in line.words):
            min(open_words, key=lambda w: w.conf).flag = True
