"""What a run is asked to do: the settings that shape every output, and their defaults.

Kept apart from the stages so that the batch process, which only hands inputs
to workers, starts without loading OpenCV, pypdf or the language model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from . import __version__

DEFAULT_LANG = "vie"
DEFAULT_PSM = 3
DEFAULT_DPI = 300  # for rendering PDF pages, and for images that do not say theirs
ALL_STEPS = ("border", "deskew", "denoise", "binarize")
# measured by scripts/eval_ocr.py: denoise cuts CER 3-16x on the samples; binarizing after it keeps
# the CER (better on JPEG scans) and makes Tesseract 10-15% faster
DEFAULT_STEPS = ("border", "deskew", "denoise", "binarize")


@dataclass(frozen=True)
class Settings:
    lang: str = DEFAULT_LANG
    psm: int = DEFAULT_PSM
    dpi: int = DEFAULT_DPI
    preprocess: tuple[str, ...] = DEFAULT_STEPS
    repair: bool = True
    tone_style: str = "old"
    page_images: bool = True
    page_timeout: float = 120.0

    def key(self) -> str:
        """A short hash of everything that changes the output (resume compares it)."""
        data = {**asdict(self), "vnocr": __version__}
        data.pop("page_timeout")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
