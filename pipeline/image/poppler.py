"""Poppler, the one module that runs it: its version, and one PDF page rendered by `pdftoppm`.

pdf2image runs `pdfinfo` and `pdftoppm`; a timeout or a page poppler cannot
render becomes an `InputError` naming the page.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError

from ..errors import InputError


def render_page(path: Path, number: int, dpi: int, timeout: float | None = None) -> Image.Image:
    """Page `number` (from 1) of the PDF at `path`, rendered in grayscale at `dpi`."""
    try:
        images = convert_from_path(path, dpi=dpi, first_page=number, last_page=number, grayscale=True, timeout=timeout)
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
