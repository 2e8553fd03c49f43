"""Poppler, the one module that runs it: its version, one PDF page rendered by `pdftoppm`, and the
words of a page's text layer with their boxes (`pdftotext -bbox-layout`).

pdf2image runs `pdfinfo` and `pdftoppm`; a timeout or a page poppler cannot
render becomes an `InputError` naming the page.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError

from ..errors import InputError


def render_page(path: Path, number: int, dpi: int, timeout: float | None = None) -> Image.Image:
    """Page `number` (from 1) of the PDF at `path`, rendered in colour at `dpi` (seals and ink are told apart by colour)."""
    try:
        images = convert_from_path(path, dpi=dpi, first_page=number, last_page=number, timeout=timeout)
    except PDFPopplerTimeoutError as exc:
        raise InputError(f"page {number}: poppler did not finish rendering within {timeout:.0f} s") from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise InputError(f"page {number} of the PDF cannot be rendered ({exc})") from exc
    if not images:
        raise InputError(f"page {number} of the PDF rendered to nothing")
    return images[0]


def poppler_version() -> str:
    try:
        out = subprocess.run(["pdftoppm", "-v"], capture_output=True, text=True, timeout=10)
        return (out.stderr or out.stdout).split()[2]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


@dataclass
class TextBlock:
    """A block of a PDF page's text layer: its box in points (x0, y0, x1, y1 from the top left) and its lines."""

    bbox: tuple[float, float, float, float]
    lines: list[str]


def _box(element: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(element.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))  # type: ignore[return-value]


def text_blocks(path: Path, number: int, timeout: float | None = None) -> list[TextBlock]:
    """The blocks of text poppler finds in page `number`'s text layer (empty when it has none or cannot be read)."""
    try:
        out = subprocess.run(
            ["pdftotext", "-q", "-bbox-layout", "-f", str(number), "-l", str(number), str(path), "-"],
            capture_output=True, timeout=timeout, check=True,
        )
        root = ET.fromstring(out.stdout)
    except (OSError, subprocess.SubprocessError, ET.ParseError):
        return []
    blocks = []
    for block in root.iter("{http://www.w3.org/1999/xhtml}block"):
        lines = [
            " ".join(w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word")).strip()
            for line in block.iter("{http://www.w3.org/1999/xhtml}line")
        ]
        if any(lines):
            blocks.append(TextBlock(_box(block), [ln for ln in lines if ln]))
    return blocks
