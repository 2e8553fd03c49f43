"""Search: an SQLite FTS5 index of the document JSONs in an output folder, accent- and đ-insensitive.

One index row per section of a document (its header, preamble, each section of
the body tree, signature, recipients), with the document's number, type, date,
issuer and the pages the row spans. A hit names its section path (`II > 2 > 2.1`).

How marks are handled:
- the `title`/`body` columns hold the text folded *character for character*
  (`Đảng ủy` -> `Dang uy`, same length), so `dang uy`, `Đảng ủy` and `DANG UY`
  match the same tokens, and FTS5's `highlight()` offsets map straight back
  onto the original accented text for the snippet;
- the `xtitle`/`xbody` columns hold the original text (NFC, tone marks placed
  in one style) so a query typed with marks ranks rows that carry exactly those
  marks first (`đồng` before `dòng`/`đóng`); words typed without marks match
  any marks.

Query syntax: words (all must match), `"a phrase"`, `prefix*`, `a OR b`, `-word` (exclude).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date as _date
from html import escape
from pathlib import Path
from typing import Any

import regex

from .layout_text import DOC_TYPES, TYPE_OF_CODE
from .model import SCHEMA_ID, Document, Line, Page, SourceInfo, Word
from .vietnamese import fold, nfc, normalize_text

log = logging.getLogger(__name__)

INDEX_SCHEMA = 1
_HL_OPEN, _HL_CLOSE = "\x02", "\x03"
_TOKEN_RE = regex.compile(r"[\p{L}\p{N}\p{M}\p{Co}]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# `--type CV` finds công văn, which have no code of their own in a number (`125/UBND-VP`).
TYPE_ALIASES = {"CV": "CONG VAN"}


# What a row without a section path is, for people reading hits.
KIND_LABELS = {
    "header": "phần đầu", "preamble": "phần mở đầu", "closing": "phần kết", "recipients": "nơi nhận",
    "signature": "chữ ký", "text": "", "section": "",
}


class SearchError(ValueError):
    """A search the user can fix: a missing index, an empty query, a bad date."""


# --------------------------------------------------------------------------- folding


class _FoldTable(dict):
    """`str.translate` table: each character to its folded form when that is one character (keeps offsets)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = fold("Đ" if ch == "Ð" else ch)  # Ð (eth) is what OCR and legacy fonts give for Đ
        value = folded if len(folded) == 1 else ch
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


def fold_aligned(text: str) -> str:
    """`fold`, one character out for each character in, so offsets in the result are offsets in `text`."""
    return text.translate(_FOLD_TABLE)


def display_text(text: str) -> str:
    """The text as stored and shown: NFC, control characters blanked."""
    return _CONTROL_RE.sub(" ", nfc(text))


def exact_text(text: str) -> str:
    """The text for mark-exact matching: NFC with tone marks in one place (`hoá` and `hóa` are the same word)."""
    return normalize_text(nfc(text), "old")


def has_marks(word: str) -> bool:
    return fold_aligned(nfc(word)).lower() != nfc(word).lower()


# --------------------------------------------------------------------------- reading documents


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
        return "".join(_TOKEN_RE.findall(fold_aligned(nfc(text)).lower()))

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


def _flatten(node: Mapping) -> list[tuple[str, int | None]]:
    """A bullet and everything under it as paragraphs of the section that holds it."""
    page = node.get("page_start") if isinstance(node.get("page_start"), int) else None
    head = " ".join(t for t in (_text(node.get("label"), " "), _first_text(node, "title", "heading")) if t)
    out = [(head, page)] if head else []
    out += _paragraph_texts(node.get("paragraphs"))
    for child in node.get("children") or []:
        if isinstance(child, Mapping):
            out += _flatten(child)
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
        children = [c for c in (node.get("children") or node.get("sections") or []) if isinstance(c, Mapping)]
        paragraphs = _paragraph_texts(node.get("paragraphs") or node.get("text"))
        for child in children:
            if _is_bullet(child):
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


# --------------------------------------------------------------------------- the index

_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY, root TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER, mtime_ns INTEGER,
    version INTEGER,
    name TEXT, number TEXT, type_code TEXT, type_key TEXT, doc_type TEXT, doctype_key TEXT, date TEXT,
    issuer TEXT, issuer_key TEXT, subject TEXT, pages INTEGER, indexed TEXT,
    UNIQUE (root, path)
);
CREATE INDEX IF NOT EXISTS docs_type ON docs (type_key);
CREATE INDEX IF NOT EXISTS docs_date ON docs (date);
CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES docs (id) ON DELETE CASCADE, ord INTEGER,
    kind TEXT, path TEXT, label TEXT, title TEXT, text TEXT, page_start INTEGER, page_end INTEGER, page_marks TEXT
);
CREATE INDEX IF NOT EXISTS sections_doc ON sections (doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
    title, body, xtitle, xbody, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3'
);
INSERT OR IGNORE INTO meta VALUES ('schema', '{INDEX_SCHEMA}');
"""


def connect(db: str | os.PathLike, *, create: bool = False) -> sqlite3.Connection:
    """Open the index: for searching (read only), or with `create` for indexing (made when missing).

    A web app may keep one searching connection per thread and pass it to `search()`
    instead of the path: that saves opening the file on each query.
    """
    path = Path(db)
    if not create and not path.exists():
        raise SearchError(f"no search index at {path}; build it with `vnocr index OUT --db {path}`")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    if create:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        version = _schema_version(conn)
        if version is not None and version != INDEX_SCHEMA:
            log.warning("%s: index format %s is outdated; rebuilding", path, version)
            conn.executescript("DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS sections; DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS meta;")
        conn.executescript(_DDL)
    else:
        if _schema_version(conn) != INDEX_SCHEMA:
            conn.close()
            raise SearchError(f"{path} is not a vnocr search index of this version; rebuild it with `vnocr index OUT --db {path}`")
        conn.execute("PRAGMA query_only = ON")  # a searching connection never writes
        conn.execute("PRAGMA mmap_size = 268435456")  # read pages straight from the OS cache: a fresh connection is warm
    return conn


def _schema_version(conn: sqlite3.Connection) -> int | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return int(row[0]) if row else None


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    sections: int = 0  # rows written in this run
    pages: int = 0  # pages of the documents (re)indexed in this run
    seconds: float = 0.0

    def line(self) -> str:
        text = (f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
                f" ({self.sections} sections written) in {self.seconds:.1f} s")
        return text + (f"; {len(self.failed)} unreadable" if self.failed else "")


def document_files(out_dir: Path) -> list[Path]:
    """Candidate document JSONs under `out_dir` (page-image folders and hidden files left out)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(out_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not d.endswith(".pages"))
        found.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".json") and not f.startswith("."))
    return found


def _doc_row(doc: Document, meta: DocMeta) -> dict[str, Any]:
    issuer_key = " ".join(t for t in (meta.issuer, meta.issuer_lines, meta.issuer_code) if t)
    return {
        "version": doc.version,
        "name": doc.source.name,
        "number": meta.number,
        "type_code": meta.type_code,
        "type_key": fold(meta.type_code).upper() if meta.type_code else None,
        "doc_type": meta.doc_type,
        "doctype_key": " ".join(fold(meta.doc_type).upper().split()) if meta.doc_type else None,
        "date": meta.date,
        "issuer": meta.issuer,
        "issuer_key": " ".join(fold_aligned(nfc(issuer_key)).lower().split()) or None,
        "subject": meta.subject,
        "pages": len(doc.pages),
    }


def _write_document(conn: sqlite3.Connection, root: str, rel: str, file: tuple[str, int, int], doc: Document,
                    old_id: int | None) -> int:
    """(Re)write one document's rows; `file` is the JSON's (sha256, size, mtime_ns)."""
    meta = document_meta(doc)
    sections = document_sections(doc)
    row = _doc_row(doc, meta)
    if old_id is not None:
        _delete_document(conn, old_id)
    cur = conn.execute(
        "INSERT INTO docs (root, path, sha256, size, mtime_ns, indexed, " + ", ".join(row)
        + ") VALUES (?, ?, ?, ?, ?, datetime('now'), " + ", ".join("?" for _ in row) + ")",
        (root, rel, *file, *row.values()),
    )
    doc_id = cur.lastrowid
    for ord_, s in enumerate(sections):
        cur = conn.execute(
            "INSERT INTO sections (doc_id, ord, kind, path, label, title, text, page_start, page_end, page_marks)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (doc_id, ord_, s.kind, s.path_text, s.label, s.title, s.text, s.page_start, s.page_end, json.dumps(s.page_marks)),
        )
        conn.execute(
            "INSERT INTO fts (rowid, title, body, xtitle, xbody) VALUES (?, ?, ?, ?, ?)",
            (cur.lastrowid, fold_aligned(s.heading), fold_aligned(s.text), exact_text(s.heading), exact_text(s.text)),
        )
    return len(sections)


def _delete_document(conn: sqlite3.Connection, doc_id: int) -> None:
    conn.execute("DELETE FROM fts WHERE rowid IN (SELECT id FROM sections WHERE doc_id = ?)", (doc_id,))
    conn.execute("DELETE FROM sections WHERE doc_id = ?", (doc_id,))
    conn.execute("DELETE FROM docs WHERE id = ?", (doc_id,))


def _text_document(data: dict[str, Any]) -> Document:
    """The document with what indexing reads (text, pages, lines, structure): words without boxes or history.

    Three times faster than `Document.from_dict` on large documents, which is most of an index build.
    """
    pages = []
    for p in data["pages"]:
        lines = [
            Line(ln["id"], ln["page"], [Word(w["id"], w["ocr"], w["text"], w["conf"], w["page"], w["line"]) for w in ln["words"]],
                 paragraph=ln.get("paragraph", 0))
            for ln in p["lines"]
        ]
        pages.append(Page(p["number"], lines))
    source = SourceInfo(**data["source"])
    return Document(source, pages, data.get("engine", {}), data.get("settings", {}), data.get("text", ""),
                    data.get("structure") or {}, data.get("version", 1), data.get("created", ""))


def build_index(out_dir: str | os.PathLike, db: str | os.PathLike,
                progress: Callable[[int, int], None] | None = None) -> IndexReport:
    """Bring the index at `db` up to date with the document JSONs under `out_dir`.

    Only new or changed documents are (re)indexed: a JSON file whose size and
    modification time are those indexed is not read again; one rewritten is
    read and compared by sha256. Documents gone from `out_dir` leave the index.
    """
    start = time.perf_counter()
    out = Path(out_dir)
    if not out.is_dir():
        raise SearchError(f"{out} is not a folder of vnocr output")
    root = str(out.resolve())
    report = IndexReport()
    conn = connect(db, create=True)
    try:
        known = {row[1]: (row[0], row[2], row[3], row[4])
                 for row in conn.execute("SELECT id, path, sha256, size, mtime_ns FROM docs WHERE root = ?", (root,))}
        files = document_files(out)
        seen: set[str] = set()
        pending = 0
        for n, path in enumerate(files, 1):
            rel = path.relative_to(out).as_posix()
            old = known.get(rel)
            try:
                st = path.stat()
                if old and (old[2], old[3]) == (st.st_size, st.st_mtime_ns):  # not rewritten since: skip reading it
                    report.unchanged += 1
                    seen.add(rel)
                    if progress:
                        progress(n, len(files))
                    continue
                raw = path.read_bytes()
            except OSError as exc:
                report.failed.append((rel, str(exc)))
                seen.add(rel)
                continue
            sha = hashlib.sha256(raw).hexdigest()
            if old and old[1] == sha:  # rewritten with the same content
                conn.execute("UPDATE docs SET size = ?, mtime_ns = ? WHERE id = ?", (st.st_size, st.st_mtime_ns, old[0]))
                report.unchanged += 1
                seen.add(rel)
            else:
                try:
                    data = json.loads(raw)
                    if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID:
                        continue  # not a document JSON (another tool's file): not ours to index
                    doc = _text_document(data)
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    log.warning("%s: not a readable document (%s); its old index entry is kept", rel, exc)
                    report.failed.append((rel, f"not a readable document: {exc}"))
                    seen.add(rel)
                    continue
                seen.add(rel)
                report.sections += _write_document(conn, root, rel, (sha, st.st_size, st.st_mtime_ns), doc, old[0] if old else None)
                report.pages += len(doc.pages)
                if old:
                    report.updated += 1
                else:
                    report.added += 1
                pending += 1
                if pending >= 200:
                    conn.commit()
                    pending = 0
            if progress:
                progress(n, len(files))
        for rel, (doc_id, *_) in known.items():
            if rel not in seen:
                _delete_document(conn, doc_id)
                report.removed += 1
        conn.commit()
        changed = report.added + report.updated + report.removed
        if changed and changed >= max(50, len(files) // 10):  # a large batch: merge the index into one b-tree
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            conn.commit()
    finally:
        conn.close()
    report.seconds = time.perf_counter() - start
    return report


# --------------------------------------------------------------------------- queries


@dataclass
class Term:
    text: str
    prefix: bool = False

    @property
    def tokens(self) -> list[str]:
        return _TOKEN_RE.findall(nfc(self.text))


@dataclass
class ParsedQuery:
    alternatives: list[list[Term]]  # any alternative (OR) whose terms all match (AND)
    excluded: list[Term]

    @property
    def terms(self) -> list[Term]:
        return [t for group in self.alternatives for t in group]


_QUERY_RE = re.compile(r'(-?)"([^"]*)"(\*?)|(\S+)')


def parse_query(query: str) -> ParsedQuery:
    """`chuyển đổi số OR "dịch vụ công" -thử` -> (chuyển AND đổi AND số) OR ("dịch vụ công"), excluding thử.

    Words all match; OR (in capitals) separates alternatives; "quotes" make a phrase;
    a trailing * a prefix; a leading - excludes.
    """
    alternatives: list[list[Term]] = [[]]
    excluded: list[Term] = []
    for m in _QUERY_RE.finditer(nfc(query)):
        if m.group(4) is not None:
            raw = m.group(4)
            if raw == "OR":
                if alternatives[-1]:
                    alternatives.append([])
                continue
            negative = raw.startswith("-") and len(raw) > 1
            raw = raw[1:] if negative else raw
            term = Term(raw.rstrip("*"), raw.endswith("*"))
        else:
            negative = m.group(1) == "-"
            term = Term(m.group(2), m.group(3) == "*")
        if not term.tokens:
            continue
        (excluded if negative else alternatives[-1]).append(term)
    alternatives = [group for group in alternatives if group]
    if not alternatives:
        raise SearchError("the query has no word to look for" + (" (only exclusions)" if excluded else ""))
    return ParsedQuery(alternatives, excluded)


def _phrase(tokens: list[str], prefix: bool) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"' + ("*" if prefix else "")


_FOLDED, _EXACT = "{title body}", "{xtitle xbody}"


def _folded_clause(term: Term) -> str:
    return f"{_FOLDED} : {_phrase([fold_aligned(t).lower() for t in term.tokens], term.prefix)}"


def _exact_clause(term: Term) -> str:
    """The term as typed: its marked words must match with their marks; unmarked words match any marks."""
    tokens = term.tokens
    marked = [i for i, t in enumerate(tokens) if has_marks(t)]
    if not marked:
        return _folded_clause(term)
    exact = [exact_text(t).lower() for t in tokens]
    if len(marked) == len(tokens):
        return f"{_EXACT} : {_phrase(exact, term.prefix)}"
    parts = [_folded_clause(term)]
    for i in marked:
        parts.append(f"{_EXACT} : {_phrase([exact[i]], term.prefix and i == len(tokens) - 1)}")
    return "(" + " AND ".join(parts) + ")"


def _fts_query(parsed: ParsedQuery, clause: Callable[[Term], str], with_exclusions: bool) -> str:
    parts = ["(" + " AND ".join(clause(t) for t in group) + ")" for group in parsed.alternatives]
    text = " OR ".join(parts)
    if with_exclusions and parsed.excluded:
        text = f"({text}) NOT (" + " OR ".join(_folded_clause(t) for t in parsed.excluded) + ")"
    return text


def fts_queries(query: str) -> tuple[str, str | None]:
    """The FTS5 MATCH expressions for a user query: the folded one, and the mark-exact one (None without marks)."""
    parsed = parse_query(query)
    folded = _fts_query(parsed, _folded_clause, True)
    marked = any(has_marks(t.text) for t in parsed.terms)
    return folded, (_fts_query(parsed, _exact_clause, False) if marked else None)


# --------------------------------------------------------------------------- search


@dataclass
class SearchFilters:
    type: str | None = None  # BC, QĐ/QD, "báo cáo"...
    date_from: str | None = None  # ISO date (or YYYY, YYYY-MM)
    date_to: str | None = None
    issuer: str | None = None  # any part of the issuer, marks optional

    @classmethod
    def coerce(cls, value: SearchFilters | Mapping[str, Any] | None) -> SearchFilters:
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        aliases = {"from": "date_from", "to": "date_to", "doc_type": "type"}
        data = {aliases.get(k, k): v for k, v in dict(value).items() if v not in (None, "")}
        unknown = set(data) - {"type", "date_from", "date_to", "issuer"}
        if unknown:
            raise SearchError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        return cls(**data)


def _date_bound(value: str, end: bool) -> str:
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return f"{value}-12-31" if end else f"{value}-01-01"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = map(int, value.split("-"))
            if end:
                nxt = _date(year + month // 12, month % 12 + 1, 1)
                return _date.fromordinal(nxt.toordinal() - 1).isoformat()
            return _date(year, month, 1).isoformat()
        return _date.fromisoformat(value).isoformat()
    except ValueError:
        raise SearchError(f"{value!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM, YYYY)") from None


@dataclass
class Hit:
    document: str  # the document JSON, relative to `root`
    root: str  # the output folder that was indexed
    name: str | None
    number: str | None
    type_code: str | None
    doc_type: str | None
    date: str | None
    issuer: str | None
    subject: str | None
    section: str  # section path, `II > 2 > 2.1` ("" for the header, preamble, signature)
    section_title: str
    kind: str
    page: int | None  # the page of the first match
    page_start: int | None
    page_end: int | None
    snippet: str  # original accented text around the matches
    highlights: list[tuple[int, int]]  # [start, end) of each match in `snippet`
    title_highlights: list[tuple[int, int]]  # matches in `section_title`
    score: float  # bm25 (higher is better)
    exact: bool  # the marks typed in the query match exactly
    version: int | None = None

    @property
    def json_path(self) -> Path:
        return Path(self.root) / self.document

    @property
    def doc_id(self) -> str:
        """The document's name in the review app: its JSON path under OUT without `.json`."""
        return self.document[: -len(".json")] if self.document.endswith(".json") else self.document

    @property
    def where(self) -> str:
        """Where in the document: the section path, or what part of the document the row is."""
        return self.section or KIND_LABELS.get(self.kind, "")

    def marked(self, open_: str = "[", close: str = "]", text: str | None = None,
               spans: list[tuple[int, int]] | None = None) -> str:
        """The snippet with each match wrapped in `open_`...`close`."""
        text = self.snippet if text is None else text
        spans = self.highlights if spans is None else spans
        out, last = [], 0
        for a, b in spans:
            out += [text[last:a], open_, text[a:b], close]
            last = b
        out.append(text[last:])
        return "".join(out)

    def snippet_html(self) -> str:
        """The snippet as HTML, matches in <mark>, everything else escaped."""
        out, last = [], 0
        for a, b in self.highlights:
            out += [escape(self.snippet[last:a]), "<mark>", escape(self.snippet[a:b]), "</mark>"]
            last = b
        out.append(escape(self.snippet[last:]))
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(s) for s in self.highlights]
        data["title_highlights"] = [list(s) for s in self.title_highlights]
        data["snippet_html"] = self.snippet_html()
        data["doc_id"] = self.doc_id
        data["where"] = self.where
        return data


def _unmark(highlighted: str, original: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Map FTS5 `highlight()` output over the folded text back onto the original: (original, match spans)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    start = None
    for ch in highlighted:
        if ch == _HL_OPEN:
            start = pos
        elif ch == _HL_CLOSE:
            if start is not None:
                spans.append((start, pos))
            start = None
        else:
            pos += 1
    if pos != len(original):
        return None
    return original, spans


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[str, list[tuple[int, int]]]:
    """A snippet of about `width` characters around the densest run of matches, cut at word boundaries."""
    flat = text.replace("\n", " ")
    if len(flat) <= width:
        return flat, spans
    anchor, best, j = (0, 0), 0, 0
    for i, span in enumerate(spans):  # the match that starts the densest run within two thirds of the width
        j = max(j, i)
        while j < len(spans) and spans[j][0] < span[0] + width * 2 // 3:
            j += 1
        if j - i > best:
            anchor, best = span, j - i
    lo = max(0, anchor[0] - width // 4)
    hi = min(len(flat), lo + width)
    lo = max(0, hi - width)
    if lo > 0:
        space = flat.find(" ", lo, min(anchor[0], lo + 15))
        lo = space + 1 if space >= 0 else lo
    if hi < len(flat):
        space = flat.rfind(" ", max(lo, hi - 15), hi)
        hi = space if space >= anchor[1] else hi
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(flat) else ""
    shift = len(prefix) - lo
    kept = [(a + shift, b + shift) for a, b in spans if a >= lo and b <= hi]
    return prefix + flat[lo:hi] + suffix, kept


def search(db: str | os.PathLike | sqlite3.Connection, query: str,
           filters: SearchFilters | Mapping[str, Any] | None = None, *, limit: int = 20, offset: int = 0,
           snippet_chars: int = 220) -> list[Hit]:
    """Ranked hits for `query` in the index `db`: mark-exact matches first (when the query has marks), then bm25."""
    if limit < 1 or offset < 0:
        raise SearchError("the number of hits must be at least 1 (and the offset not negative)")
    folded_q, exact_q = fts_queries(query)
    f = SearchFilters.coerce(filters)
    where, params = ["fts MATCH ?"], [folded_q]
    if f.type:
        key = " ".join(fold(nfc(f.type)).upper().split())
        key = TYPE_ALIASES.get(key, key)
        where.append("(d.type_key = ? OR d.doctype_key = ?)")
        params += [key, key]
    if f.date_from:
        where.append("d.date >= ?")
        params.append(_date_bound(f.date_from, end=False))
    if f.date_to:
        where.append("d.date <= ?")
        params.append(_date_bound(f.date_to, end=True))
    if f.issuer:
        key = " ".join(fold_aligned(nfc(f.issuer)).lower().split())
        where.append("d.issuer_key LIKE ? ESCAPE '\\'")
        params.append("%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    exact_sql = "(fts.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))" if exact_q else "0"
    # first the ranking alone (cheap), then snippets and fields for the page of hits only
    # (without filters, no join: a row lookup per match would double the time of common words)
    joins = "JOIN sections s ON s.id = fts.rowid JOIN docs d ON d.id = s.doc_id" if len(where) > 1 else ""
    rank_sql = f"""
        SELECT fts.rowid, {exact_sql} AS exact, bm25(fts, 3.0, 1.0, 0.0, 0.0) AS score
        FROM fts {joins}
        WHERE {' AND '.join(where)}
        ORDER BY exact DESC, score, fts.rowid
        LIMIT ? OFFSET ?"""
    args = ([exact_q] if exact_q else []) + params + [int(limit), int(offset)]
    own = not isinstance(db, sqlite3.Connection)
    conn = connect(db) if own else db
    try:
        ranked = conn.execute(rank_sql, args).fetchall()
        found: dict[int, tuple] = {}
        if ranked:
            marks = ", ".join("?" for _ in ranked)
            fetch_sql = f"""
                SELECT fts.rowid, highlight(fts, 0, '{_HL_OPEN}', '{_HL_CLOSE}'), highlight(fts, 1, '{_HL_OPEN}', '{_HL_CLOSE}'),
                       s.path, s.label, s.title, s.text, s.kind, s.page_start, s.page_end, s.page_marks,
                       d.root, d.path, d.name, d.number, d.type_code, d.doc_type, d.date, d.issuer, d.subject, d.version
                FROM fts JOIN sections s ON s.id = fts.rowid JOIN docs d ON d.id = s.doc_id
                WHERE fts MATCH ? AND fts.rowid IN ({marks})"""
            found = {row[0]: row[1:] for row in conn.execute(fetch_sql, [folded_q, *(r[0] for r in ranked)])}
    except sqlite3.OperationalError as exc:
        raise SearchError(f"the search failed: {exc}") from exc
    finally:
        if own:
            conn.close()
    rows = [(exact, score, *found[rowid]) for rowid, exact, score in ranked if rowid in found]
    typed = _typed_marks(parse_query(query).terms) if exact_q else None
    return [_hit(row, snippet_chars, typed) for row in rows]


def _typed_marks(terms: list[Term]) -> list[tuple[list[str | None], bool]]:
    """For each term, its words as typed (mark-exact form, or None for a word typed without marks) and prefix."""
    return [([exact_text(t).lower() if has_marks(t) else None for t in term.tokens], term.prefix) for term in terms]


def _exact_spans(text: str, spans: list[tuple[int, int]], typed: list[tuple[list[str | None], bool]]) -> list[tuple[int, int]]:
    """In a mark-exact hit, highlight only the matches with the typed marks (`đồng`, not `động`)."""

    def accepts(got: list[str], want: list[str | None], prefix: bool) -> bool:
        if len(got) != len(want):
            return False
        last = len(want) - 1
        return all(w is None or (g.startswith(w) if prefix and i == last else g == w) for i, (g, w) in enumerate(zip(got, want)))

    kept = []
    for a, b in spans:
        got = [exact_text(t).lower() for t in _TOKEN_RE.findall(text[a:b])]
        if any(accepts(got, want, prefix) for want, prefix in typed):
            kept.append((a, b))
    return kept or spans


def _hit(row: tuple, snippet_chars: int, typed: list[tuple[list[str | None], bool]] | None = None) -> Hit:
    (exact, score, hl_title, hl_body, path, label, title, text, kind, page_start, page_end, page_marks,
     root, rel, name, number, type_code, doc_type, date, issuer, subject, version) = row
    body = _unmark(hl_body, text) or (text, [])
    cut = len(label) + 1 if label else 0  # the title column holds `label title`; the hit shows the title
    head = _unmark(hl_title, f"{label} {title}" if label else title) or ("", [])
    head = (title, [(a - cut, b - cut) for a, b in head[1] if a >= cut])
    if exact and typed:
        body = (body[0], _exact_spans(body[0], body[1], typed))
        head = (head[0], _exact_spans(head[0], head[1], typed))
    section = Section([], title, text, kind, page_start, page_end, [tuple(m) for m in json.loads(page_marks or "[]")])
    page = section.page_at(body[1][0][0]) if body[1] else page_start
    if not body[0]:
        body = head  # a heading without text of its own: show the heading
    snippet, spans = _window(body[0], body[1], snippet_chars)
    return Hit(
        document=rel, root=root, name=name, number=number, type_code=type_code, doc_type=doc_type, date=date,
        issuer=issuer, subject=subject, section=path, section_title=title, kind=kind, page=page,
        page_start=page_start, page_end=page_end, snippet=snippet, highlights=spans, title_highlights=head[1],
        score=-float(score), exact=bool(exact), version=version,
    )


def stats(db: str | os.PathLike) -> dict[str, int]:
    conn = connect(db)
    try:
        docs, pages = conn.execute("SELECT count(*), coalesce(sum(pages), 0) FROM docs").fetchone()
        sections = conn.execute("SELECT count(*) FROM sections").fetchone()[0]
    finally:
        conn.close()
    return {"documents": docs, "pages": pages, "sections": sections}
