"""What a run is asked to do: the settings that shape every output, and their defaults.

`Settings` checks itself when made, so the command line and the Python API
refuse the same values, before the first page. Kept apart from the stages so that the batch process, which only hands inputs
to workers, starts without loading OpenCV, pypdf or the language model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from . import __version__
from .errors import SettingsError

DEFAULT_LANG = "vie"
DEFAULT_PSM = 3
DEFAULT_DPI = 300  # for rendering PDF pages, and for images that do not say theirs
ALL_STEPS = ("border", "deskew", "denoise", "binarize")
OCR_MODES = ("auto", "always", "never")  # when a PDF page is OCR'd: when its text layer is not usable, always, never
TONE_STYLES = ("old", "new")  # where a tone mark sits: old (hóa, ủy, the official style) or new (hoá, uỷ)
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
    ocr: str = "auto"

    def __post_init__(self) -> None:
        check_steps(self.preprocess)
        if self.ocr not in OCR_MODES:
            raise SettingsError(f"unknown OCR mode {self.ocr!r}; choose from {', '.join(OCR_MODES)}")
        if self.tone_style not in TONE_STYLES:
            raise SettingsError(f"unknown tone style {self.tone_style!r}; choose from {', '.join(TONE_STYLES)}")
        if not 0 <= self.psm <= 13:
            raise SettingsError(f"Tesseract's page segmentation mode is 0 to 13, not {self.psm}")
        if self.dpi < 1 or self.page_timeout <= 0:
            raise SettingsError(f"the resolution ({self.dpi}) and the page timeout ({self.page_timeout:g} s) must be positive")

    def key(self) -> str:
        """A short hash of everything that changes the output (resume compares it)."""
        data = {**asdict(self), "vnocr": __version__}
        data.pop("page_timeout")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def check_steps(steps: tuple[str, ...]) -> tuple[str, ...]:
    """The preprocessing steps, when every one is known."""
    unknown = set(steps) - set(ALL_STEPS)
    if unknown:
        raise SettingsError(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(ALL_STEPS)} or none")
    return steps
