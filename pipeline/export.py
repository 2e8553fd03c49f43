"""Exports of an output folder: OpenSearch/Elasticsearch bulk NDJSON, ALTO v4 XML per page, searchable PDF.

`export(out_dir, fmt, dest)` reads every document JSON under `out_dir` and hands
it to the format's writer; a document that cannot be exported in that format
(no page images for a PDF) is skipped with a message saying why, and the
others go on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .model import SCHEMA_ID, Document
from .search import document_files, document_meta, document_sections

log = logging.getLogger(__name__)

FORMATS = ("opensearch", "alto", "pdf")


class ExportError(RuntimeError):
    """An export that cannot run at all (no documents, no usable font...)."""


@dataclass
class ExportReport:
    documents: int = 0
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (document or page, why)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.documents} documents, {len(self.written)} files written"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        if self.failed:
            text += f", {len(self.failed)} failed"
        return text


def iter_documents(out_dir: Path, report: ExportReport) -> Iterator[tuple[str, Path, Document]]:
    """(path relative to `out_dir`, JSON path, document) for every document JSON under `out_dir`."""
    if not out_dir.is_dir():
        raise ExportError(f"{out_dir} is not a folder of vnocr output")
    for path in document_files(out_dir):
        rel = path.relative_to(out_dir).as_posix()
        try:
            data = json.loads(path.read_bytes())
            if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID:
                continue
            doc = Document.from_dict(data)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            report.failed.append((rel, f"not a readable document: {exc}"))
            continue
        report.documents += 1
        yield rel, path, doc


class AtomicFile:
    """A file written through a temporary sibling and renamed into place when closed without error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o644)  # exports are for others to read (mkstemp makes 0600)
        self.fh: BinaryIO = os.fdopen(fd, "wb")

    def __enter__(self) -> BinaryIO:
        return self.fh

    def __exit__(self, kind, value, tb) -> None:
        try:
            if kind is None:
                self.fh.flush()
                os.fsync(self.fh.fileno())
            self.fh.close()
            if kind is None:
                os.replace(self.tmp, self.path)
        finally:
            Path(self.tmp).unlink(missing_ok=True)


# --------------------------------------------------------------------------- OpenSearch / Elasticsearch

TEXT = {"type": "text", "analyzer": "vi_folding"}


def index_definition() -> dict[str, Any]:
    """Settings and mapping for the bulk documents: text analysed with `asciifolding` keeping the original token.

    `preserve_original` indexes `đồng` as both `đồng` and `dong` at one position,
    so `dong`, `đồng` and `DONG` all match, and a query typed with marks scores
    the documents that carry exactly those marks higher (both tokens match).
    `asciifolding` folds `đ`/`Đ` to `d` and every Vietnamese vowel with marks;
    it is built in (no ICU plugin needed).
    """
    return {
        "settings": {
            "analysis": {
                "filter": {"vi_ascii": {"type": "asciifolding", "preserve_original": True}},
                "analyzer": {"vi_folding": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "vi_ascii"]}},
                "normalizer": {"vi_key": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "document": {"type": "keyword"},
                "name": {"type": "keyword"},
                "version": {"type": "integer"},
                "number": {"type": "keyword", "normalizer": "vi_key", "fields": {"text": TEXT}},
                "type_code": {"type": "keyword", "normalizer": "vi_key"},
                "doc_type": {"type": "keyword", "normalizer": "vi_key", "fields": {"text": TEXT}},
                "date": {"type": "date", "format": "yyyy-MM-dd"},
                "issuer": {**TEXT, "fields": {"keyword": {"type": "keyword", "normalizer": "vi_key"}}},
                "subject": TEXT,
                "section": {"type": "keyword"},
                "section_title": TEXT,
                "kind": {"type": "keyword"},
                "text": TEXT,
                "page_start": {"type": "integer"},
                "page_end": {"type": "integer"},
            },
        },
    }


def _bulk_id(rel: str, ordinal: int) -> str:
    key = f"{rel}#{ordinal}"
    return key if len(key.encode("utf-8")) <= 200 else hashlib.sha1(key.encode("utf-8")).hexdigest() + f"#{ordinal}"


def bulk_lines(rel: str, doc: Document, index: str) -> Iterator[bytes]:
    """The action line and document line of each section of one document, newline-terminated."""
    meta = document_meta(doc)
    for ordinal, s in enumerate(document_sections(doc)):
        action = {"index": {"_index": index, "_id": _bulk_id(rel, ordinal)}}
        source = {
            "document": rel, "name": doc.source.name, "version": doc.version, "number": meta.number,
            "type_code": meta.type_code, "doc_type": meta.doc_type, "date": meta.date, "issuer": meta.issuer,
            "subject": meta.subject, "section": s.path_text, "section_title": s.heading, "kind": s.kind,
            "text": s.text, "page_start": s.page_start, "page_end": s.page_end,
        }
        source = {k: v for k, v in source.items() if v is not None}
        yield json.dumps(action, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        yield json.dumps(source, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def export_opensearch(out_dir: Path, dest: Path, index: str = "vnocr", max_bytes: int = 50_000_000,
                      note: Callable[[str], None] = log.info) -> ExportReport:
    """`DEST/<index>.index.json` (PUT it to create the index) and `DEST/<index>.ndjson` for `_bulk`
    (split into `<index>-0001.ndjson`... when larger than `max_bytes`, the bulk request size limit)."""
    report = ExportReport()
    dest.mkdir(parents=True, exist_ok=True)
    definition = dest / f"{index}.index.json"
    with AtomicFile(definition) as fh:
        fh.write((json.dumps(index_definition(), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    report.written.append(definition)
    parts: list[Path] = []
    current: AtomicFile | None = None
    size = 0

    def open_part() -> AtomicFile:
        part = AtomicFile(dest / f"{index}-{len(parts) + 1:04d}.ndjson")
        parts.append(part.path)
        return part

    try:
        for rel, _, doc in iter_documents(out_dir, report):
            lines = list(bulk_lines(rel, doc, index))
            chunk = b"".join(lines)
            if current is None or (size and size + len(chunk) > max_bytes):
                if current is not None:
                    current.__exit__(None, None, None)
                current = open_part()
                size = 0
            current.fh.write(chunk)
            size += len(chunk)
    except BaseException as exc:
        if current is not None:
            current.__exit__(type(exc), exc, None)
        raise
    if current is not None:
        current.__exit__(None, None, None)
    if len(parts) == 1:
        single = dest / f"{index}.ndjson"
        os.replace(parts[0], single)
        parts = [single]
    report.written.extend(parts)
    if not parts:
        report.skipped.append((str(out_dir), "no documents to export"))
    return report


def export(out_dir: str | os.PathLike, fmt: str, dest: str | os.PathLike, *, index: str = "vnocr",
           font: str | os.PathLike | None = None, note: Callable[[str], None] = log.info) -> ExportReport:
    """Export every document under `out_dir` in `fmt` (opensearch | alto | pdf) into the folder `dest`."""
    out, target = Path(out_dir), Path(dest)
    if fmt == "opensearch":
        return export_opensearch(out, target, index=index, note=note)
    if fmt == "alto":
        from .export_alto import export_alto

        return export_alto(out, target, note=note)
    if fmt == "pdf":
        from .export_pdf import export_pdf

        return export_pdf(out, target, font=font, note=note)
    raise ExportError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")


__all__ = ["FORMATS", "ExportError", "ExportReport", "export", "index_definition", "bulk_lines"]
