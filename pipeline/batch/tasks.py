"""The batch's tasks, run in workers: one input whole, a range of a long PDF's pages, the join of those ranges.

They import the flow when they run: the batch process itself never loads OpenCV, Tesseract's wrapper
or the language model (workers preload the flow before they take tasks).
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..ingest.files import InputFile
from ..model import Page
from ..outputs import Outcome, output_paths
from ..settings import Settings

log = logging.getLogger(__name__)

FINISH_SECONDS_PER_PAGE = 0.5  # allowance for repair, structure and writing, per page, beyond the page timeout


@dataclass(frozen=True)
class Split:
    """A file task's answer for a PDF too long for one task: read it in ranges."""

    pages: int


def pdf_page_count(path: Path) -> int | None:
    """The number of pages of a readable, unencrypted PDF; None when unsure (the flow then reports why)."""
    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # a damaged PDF's warnings come once, when the flow reads it
    try:
        with open(path, "rb") as fh:
            if b"%PDF-" not in fh.read(1024):
                return None
        reader = PdfReader(path)
        if reader.is_encrypted:
            return None
        return len(reader.pages)
    except Exception:  # noqa: BLE001 - any trouble: let the flow read it and explain
        return None
    finally:
        pypdf_log.setLevel(level)


def _heartbeat(progress: Callable | None, settings: Settings) -> Callable[[int], None] | None:
    """flow's per-page callback -> a pool progress report granting time for the next page (or the finish)."""
    if progress is None:
        return None
    done = 0

    def report(number: int) -> None:
        nonlocal done
        done += 1
        progress(number, settings.page_timeout + FINISH_SECONDS_PER_PAGE * done)

    return report


def file_task(
    item: InputFile, out_dir: Path, settings: Settings, split_pages: int = 0, progress: Callable | None = None
) -> Outcome | Split:
    """One input, whole: the outcome; or, for a PDF of more than `split_pages` pages, a request to split it."""
    if split_pages and item.path.suffix.lower() == ".pdf":
        count = pdf_page_count(item.path)
        if count is not None and count > split_pages:
            return Split(count)
    from ..flow import process_file

    return process_file(item, out_dir, settings, progress=_heartbeat(progress, settings))


def pages_task(
    item: InputFile, out_dir: Path, settings: Settings, first: int, last: int, progress: Callable | None = None
) -> list[Page]:
    """Pages `first`..`last` of a PDF, OCRed (page images written); raises InputError naming the real page."""
    from pypdf import PdfReader, PdfWriter

    from ..flow import ocr_pages
    from ..image import raster

    _, images_dir = output_paths(item, out_dir, settings)
    with tempfile.TemporaryDirectory(prefix="vnocr-part-") as tmp:
        part = Path(tmp) / "part.pdf"
        try:
            reader = PdfReader(item.path)
            writer = PdfWriter()
            for index in range(first - 1, last):
                writer.add_page(reader.pages[index])
            with open(part, "wb") as fh:
                writer.write(fh)
        except Exception as exc:  # noqa: BLE001 - the PDF cannot be cut: read the range from the whole file
            log.debug("%s: pages %d-%d not extracted (%s); reading them from the whole file", item.path, first, last, exc)
            part = None

        def renumbered() -> Iterator[raster.RasterPage]:
            if part is None:
                for page in raster.pages(item.path, "pdf", settings.dpi, settings.page_timeout, settings.ocr):
                    if page.number > last:
                        return
                    if page.number >= first:
                        yield page
                return
            for page in raster.pages(part, "pdf", settings.dpi, settings.page_timeout, settings.ocr):
                page.number += first - 1
                yield page

        try:
            return ocr_pages(renumbered(), settings, images_dir, _heartbeat(progress, settings))
        except InputError as exc:
            if part is None:
                raise
            # raster numbers pages within the part; name the page of the whole PDF
            message = re.sub(r"\b([Pp]age) (\d+)\b", lambda m: f"{m.group(1)} {int(m.group(2)) + first - 1}", str(exc))
            raise InputError(message) from exc


def finish_task(
    item: InputFile, out_dir: Path, settings: Settings, parts: list[list[Page]], progress: Callable | None = None
) -> Outcome:
    """Join the ranges of a split PDF; repair, structure and write the document."""
    from ..flow import process_file

    return process_file(item, out_dir, settings, pages=[page for part in parts for page in part])
