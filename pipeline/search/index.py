"""The search index: an SQLite FTS5 table of the document JSONs in an output folder, built incrementally.

One row per section of a document (`documents.document_sections`), with the
document's number, type, date, issuer and the pages the row spans:
- the `title`/`body` columns hold the text folded *character for character*
  (`Đảng ủy` -> `Dang uy`, same length), so `dang uy`, `Đảng ủy` and `DANG UY`
  match the same tokens, and FTS5's `highlight()` offsets map straight back
  onto the original accented text for the snippet;
- the `xtitle`/`xbody` columns hold the original text (NFC, tone marks placed
  in one style) so a query typed with marks ranks rows that carry exactly those
  marks first (`đồng` before `dòng`/`đóng`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SearchError
from ..model import SCHEMA_IDS, Document, Line, Page, SourceInfo, Word
from ..text.vietnamese import fold, nfc
from .documents import DocMeta, document_files, document_meta, document_sections
from .folding import exact_text, fold_aligned

log = logging.getLogger(__name__)

INDEX_SCHEMA = 1

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
                    if not isinstance(data, dict) or data.get("schema") not in SCHEMA_IDS:
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
