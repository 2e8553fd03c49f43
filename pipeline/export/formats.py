"""The export formats, and `export`: every document of an output folder in one format.

A document that cannot be exported in that format (no page images for a PDF)
is skipped with a message saying why, and the others go on. Each writer is
imported only when its format is asked for.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import ExportError

if TYPE_CHECKING:
    from .common import ExportReport

log = logging.getLogger(__name__)


def _opensearch(out: Path, dest: Path, index: str, font: str | os.PathLike | None, note: Callable[[str], None]) -> ExportReport:
    from .opensearch import export_opensearch

    return export_opensearch(out, dest, index=index, note=note)


def _alto(out: Path, dest: Path, index: str, font: str | os.PathLike | None, note: Callable[[str], None]) -> ExportReport:
    from .alto import export_alto

    return export_alto(out, dest, note=note)


def _pdf(out: Path, dest: Path, index: str, font: str | os.PathLike | None, note: Callable[[str], None]) -> ExportReport:
    from .pdf import export_pdf

    return export_pdf(out, dest, font=font, note=note)


WRITERS = {"opensearch": _opensearch, "alto": _alto, "pdf": _pdf}
FORMATS = tuple(WRITERS)


def export(out_dir: str | os.PathLike, fmt: str, dest: str | os.PathLike, *, index: str = "vnocr",
           font: str | os.PathLike | None = None, note: Callable[[str], None] = log.info) -> ExportReport:
    """Export every document under `out_dir` in `fmt` (one of `FORMATS`) into the folder `dest`."""
    if fmt not in WRITERS:
        raise ExportError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    return WRITERS[fmt](Path(out_dir), Path(dest), index, font, note)
