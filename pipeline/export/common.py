"""What every export shares: reading the document JSONs of an output folder, writing files atomically, the report."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import ExportError
from ..model import SCHEMA_IDS, Document
from ..search.documents import document_files


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
            if not isinstance(data, dict) or data.get("schema") not in SCHEMA_IDS:
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
