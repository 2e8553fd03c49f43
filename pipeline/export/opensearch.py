"""OpenSearch/Elasticsearch: an index definition and bulk NDJSON of every section of every document.

`DEST/<index>.index.json` creates the index (text analysed with `asciifolding`,
keeping the original token), `DEST/<index>.ndjson` loads the sections with `_bulk`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..model import Document
from ..search.documents import document_meta, document_sections
from .common import AtomicFile, ExportReport, iter_documents

log = logging.getLogger(__name__)

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
