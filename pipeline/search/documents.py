"""Reading documents for search and export: a document's header fields (`document_meta`) and its index rows
(`document_sections`: its header, preamble, each section of the body tree, signature, recipients, with the
pages each spans), and the document JSONs of an output folder (`document_files`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..layout.patterns import DOC_TYPES, TYPE_OF_CODE
from ..model import Document
from ..text.vietnamese import fold, nfc
from .folding import TOKEN_RE, display_text, fold_aligned

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Section:
    """One index row: a part of a document and the pages it spans."""

    path: list[str]
    title: str
    text: str
    kind: str  # header | preamble | section | signature | recipients | text
    page_start: int | None = None
    page_end: int | None = None
    page_marks: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, page) where a page begins
    label: str = ""  # the section's number as printed (`Điều 4.`, `1.2.`): searched with the title

    @property
    def heading(self) -> str:
        return f"{self.label} {self.title}" if self.label else self.title

    @property
    def path_text(self) -> str:
        return " > ".join(self.path)

    def page_at(self, offset: int) -> int | None:
        page = self.page_start
        for start, number in self.page_marks:
            if start <= offset:
                page = number
            else:
                break
        return page


@dataclass
class DocMeta:
    number: str | None = None
    type_code: str | None = None
    doc_type: str | None = None
    date: str | None = None
    issuer: str | None = None
    issuer_code: str | None = None
    place: str | None = None
    subject: str | None = None
    issuer_lines: str = ""  # every issuer line as printed (parent body too), for the issuer filter


def _text(value: Any, sep: str = "\n") -> str:
    """A display string from whatever shape a structure field has (str, list, {text|lines|name|...})."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        for key in ("text", "lines", "name", "value", "title"):
            if value.get(key):
                return _text(value[key], sep)
        return ""
    if isinstance(value, Iterable):
        return sep.join(t for t in (_text(v, sep) for v in value) if t)
    return ""


def _first_text(data: Mapping, *keys: str) -> str:
    for key in keys:
        found = _text(data.get(key), " ")
        if found:
            return found
    return ""


def _iso_date(value: Any) -> str | None:
    if isinstance(value, Mapping):
        for key in ("iso", "value", "date"):
            if value.get(key):
                return _iso_date(value[key])
        return None
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return value.strip()
    return None


def _type_code_from_number(number: str) -> str | None:
    """`87/BC-UBND` -> `BC`; `123/UBND-VP` (công văn) -> None."""
    match = re.search(r"/\s*([^\W\d_]+)\s*-", number)
    if not match:
        return None
    code = match.group(1)
    return next((c for c in TYPE_OF_CODE if fold(c).upper() == fold(code).upper()), None)


def document_meta(doc: Document) -> DocMeta:
    """The header fields of a document's structure; any of them may be missing."""
    st = doc.structure if isinstance(doc.structure, Mapping) else {}
    meta = DocMeta()
    number = st.get("number")
    if isinstance(number, Mapping):
        meta.number = _text(number.get("text"), " ") or None
        meta.type_code = _text(number.get("type_code"), " ") or None
        meta.issuer_code = _text(number.get("issuer_code"), " ") or None
    else:
        meta.number = _text(number, " ") or None
    meta.doc_type = _first_text(st, "doc_type", "type") or None
    if not meta.type_code and meta.number:
        meta.type_code = _type_code_from_number(meta.number)
    if not meta.type_code and meta.doc_type:
        meta.type_code = next((c for name, c in DOC_TYPES.items() if c and fold(name) == fold(meta.doc_type).upper()), None)
    meta.date = _iso_date(st.get("date"))
    issuer = st.get("issuer")
    if isinstance(issuer, Mapping):  # {lines, parent, name}: the issuing body is `name`
        meta.issuer = _text(issuer.get("name"), " ") or _text(issuer.get("lines"), " / ") or None
        meta.issuer_lines = _text(issuer.get("lines"), " ") or _text(issuer.get("parent"), " ")
    else:
        meta.issuer = _text(issuer, " / ") or None
    meta.place = _text(st.get("place"), " ") or None
    meta.subject = _first_text(st, "subject") or None
    return meta


class _PageLocator:
    """Finds the page a piece of text starts on, by its folded letters in the document's lines."""

    def __init__(self, doc: Document) -> None:
        parts: list[str] = []
        self.starts: list[tuple[int, int]] = []
        size = 0
        for page in doc.pages:
            self.starts.append((size, page.number))
            for line in page.lines:
                key = self._key(line.text)
                parts.append(key)
                size += len(key)
        self.stream = "".join(parts)
        self.cursor = 0

    @staticmethod
    def _key(text: str) -> str:
        return "".join(TOKEN_RE.findall(fold_aligned(nfc(text)).lower()))

    def page(self, text: str) -> int | None:
        key = self._key(text)[:40]
        if not key or not self.stream:
            return None
        at = self.stream.find(key, self.cursor)
        if at < 0:
            at = self.stream.find(key)
        if at < 0:
            return None
        self.cursor = at
        number = None
        for start, page in self.starts:
            if start <= at:
                number = page
            else:
                break
        return number


def _paragraph_texts(value: Any) -> list[tuple[str, int | None]]:
    """Paragraphs as (text, page if the structure gives it)."""
    if value is None:
        return []
    if isinstance(value, (str, Mapping)):
        value = [value]
    out = []
    for item in value:
        if isinstance(item, Mapping):
            text = _text(item.get("text") if "text" in item else item)
            page = item.get("page") if isinstance(item.get("page"), int) else None
        else:
            text, page = _text(item), None
        if text:
            out.append((text, page))
    return out


def _span(node: Mapping) -> tuple[int | None, int | None]:
    for key in ("pages", "page_span", "span"):
        value = node.get(key)
        if isinstance(value, Mapping):
            a, b = value.get("start", value.get("first")), value.get("end", value.get("last"))
            if isinstance(a, int):
                return a, b if isinstance(b, int) else a
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value):
            return min(value), max(value)
    a, b = node.get("page_start", node.get("page")), node.get("page_end")
    if isinstance(a, int):
        return a, b if isinstance(b, int) else a
    return None, None


def _make_section(path: list[str], title: str, paragraphs: list[tuple[str, int | None]], kind: str,
                  locator: _PageLocator, span: tuple[int | None, int | None] = (None, None), joiner: str = "\n",
                  label: str = "") -> Section:
    chunks: list[str] = []
    marks: list[tuple[int, int]] = []
    offset = 0
    first_page = locator.page(title) if title else None
    for text, page in paragraphs:
        text = display_text(text)
        page = page or locator.page(text)
        if page is not None and (not marks or marks[-1][1] != page):
            marks.append((offset, page))
        chunks.append(text)
        offset += len(text) + len(joiner)
    pages = [p for _, p in marks] + ([first_page] if first_page else [])
    start = span[0] or first_page or (marks[0][1] if marks else None)
    end = span[1] or (max(pages) if pages else start)
    if start is not None and end is not None and end < start:
        end = start
    return Section(path, display_text(title), joiner.join(chunks), kind, start, end, marks, display_text(label))


_BULLETS = ("dash", "plus")


def _label(node: Mapping) -> str:
    """`III.` -> `III`, `Điều 1.` -> `Điều 1`, `1.2.` -> `1.2`, `a)` -> `a`."""
    return re.sub(r"[\s.:)]+$", "", _text(node.get("label"), " ") or _text(node.get("number"), " "))


def _is_bullet(node: Mapping) -> bool:
    return node.get("kind") in _BULLETS or _label(node) in ("-", "+", "•")


def _content(node: Mapping) -> list[tuple[Mapping | None, Any]]:
    """What a section holds, in order, as (sub-section, None) or (None, paragraph). Schema 2 keeps them in
    one list, `content` (strings and sections); schema 1 (and other producers) had the paragraphs, then the children."""
    if isinstance(node.get("content"), list):
        return [(item, None) if isinstance(item, Mapping) else (None, item) for item in node["content"]]
    paragraphs = node.get("paragraphs") or node.get("text")
    text = paragraphs if isinstance(paragraphs, list) else [paragraphs] if paragraphs else []
    children = node.get("children") or node.get("sections") or []
    return [(None, item) for item in text] + [(child, None) for child in children if isinstance(child, Mapping)]


def _flatten(node: Mapping) -> list[tuple[str, int | None]]:
    """A bullet and everything under it as paragraphs of the section that holds it."""
    page = node.get("page_start") if isinstance(node.get("page_start"), int) else None
    head = " ".join(t for t in (_text(node.get("label"), " "), _first_text(node, "title", "heading")) if t)
    out = [(head, page)] if head else []
    for child, paragraph in _content(node):
        out += _flatten(child) if child is not None else _paragraph_texts(paragraph)
    return out


def _walk(nodes: Any, parents: list[str], locator: _PageLocator, out: list[Section]) -> None:
    """Rows for a tree of sections: one per numbered section; bullets (`-`, `+`) stay in their section's row."""
    if not isinstance(nodes, list):
        return
    loose: list[tuple[str, int | None]] = []
    for node in nodes:
        if not isinstance(node, Mapping):
            continue
        if _is_bullet(node):
            loose += _flatten(node)
            continue
        if loose:
            out.append(_make_section(list(parents), "", loose, "section", locator))
            loose = []
        title = _first_text(node, "title", "heading")
        path = [*parents, _label(node) or (title[:40] if title else "§")]
        content = _content(node)
        children = [child for child, _ in content if child is not None]
        paragraphs: list[tuple[str, int | None]] = []
        for child, paragraph in content:
            if child is None:
                paragraphs += _paragraph_texts(paragraph)
            elif _is_bullet(child):
                paragraphs += _flatten(child)
        if title or paragraphs:
            out.append(_make_section(path, title, paragraphs, "section", locator, _span(node),
                                     label=_text(node.get("label"), " ") or _text(node.get("number"), " ")))
        _walk([c for c in children if not _is_bullet(c)], path, locator, out)
    if loose:
        out.append(_make_section(list(parents), "", loose, "section", locator))


def _line_chunks(doc: Document, locator: _PageLocator, size: int = 700) -> list[Section]:
    """Rows for a document without a section tree: its paragraphs, long ones cut at line ends."""
    out: list[Section] = []
    current: list[tuple[str, int | None]] = []
    length = 0
    key = None

    def flush() -> None:
        nonlocal current, length
        if current:
            out.append(_make_section([], "", current, "text", locator))
        current, length = [], 0

    for line in doc.lines():
        text = line.text.strip()
        if not text:
            continue
        if (line.page, line.paragraph) != key or length >= size:
            flush()
            key = (line.page, line.paragraph)
        current.append((text, line.page))
        length += len(text) + 1
    flush()
    return out


def document_sections(doc: Document) -> list[Section]:
    """The index rows of a document, from its structure when it has one, else from its lines."""
    st = doc.structure if isinstance(doc.structure, Mapping) else {}
    locator = _PageLocator(doc)
    meta = document_meta(doc)
    out: list[Section] = []
    issuer = st.get("issuer")
    issuer_text = _text(issuer.get("lines") or issuer.get("name")) if isinstance(issuer, Mapping) else _text(issuer)
    unplaced = [t for t in (st.get("unplaced") or []) if isinstance(t, str)]
    header = [t for t in (meta.subject, meta.number, issuer_text, _first_text(st, "date_line") or meta.place, *unplaced) if t]
    if meta.doc_type or header:
        out.append(_make_section([], meta.doc_type or "", [(t, None) for t in header], "header", locator, joiner=" · "))
        locator.cursor = 0
    body = st.get("body")
    before = len(out)
    if isinstance(body, Mapping):
        preamble = _paragraph_texts(body.get("preamble"))
        if preamble:
            out.append(_make_section([], "", preamble, "preamble", locator))
        _walk(body.get("sections") or body.get("children"), [], locator, out)
        closing = _paragraph_texts(body.get("closing"))
        if closing:
            out.append(_make_section([], "", closing, "closing", locator))
    elif isinstance(body, list):
        _walk(body, [], locator, out)
    if len(out) == before:
        out.extend(_line_chunks(doc, locator))
    recipients, heading = st.get("recipients"), "Nơi nhận"
    if isinstance(recipients, Mapping):
        heading = "Nơi nhận" if recipients.get("copies") else "Kính gửi"
        recipients = [*(recipients.get("addressees") or []), *(recipients.get("copies") or [])]
    signature = st.get("signature")
    for value, kind in ((recipients, "recipients"), (signature, "signature")):
        paragraphs = _paragraph_texts(value if isinstance(value, list) else _text(value) or None)
        if paragraphs:
            title = heading if kind == "recipients" else ""
            out.append(_make_section([], title, paragraphs, kind, locator, joiner="; " if kind == "recipients" else "\n"))
    return out


def document_files(out_dir: Path) -> list[Path]:
    """Candidate document JSONs under `out_dir` (page-image folders and hidden files left out)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(out_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not d.endswith(".pages"))
        found.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".json") and not f.startswith("."))
    return found
