"""Preprocess page images for OCR (OpenCV): resolution, dark borders, skew, noise, binarization.

The page analysis decides what this page needs: a page scanned at low resolution is enlarged
first, and denoise and binarize are taken only where they help this kind of page; each decision
is recorded with its reason. Each step is a pure function from a grayscale uint8 array to another
of the same size (so word boxes stay in the page image's coordinates). `make eval` measures each
step's effect on OCR accuracy; DEFAULT_STEPS (settings.py) keeps those that help.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..settings import ALL_STEPS, DEFAULT_STEPS
from .analysis import UPSCALE_BELOW_DPI, UPSCALE_TO_DPI, PageAnalysis

MAX_SKEW_DEG = 6.0
MIN_ROTATION_DEG = 0.1  # 0.3 already cost a signature line on a 200-DPI scan


def remove_border(gray: np.ndarray, dpi: int = 300) -> tuple[np.ndarray, dict]:
    """Paint white the dark bands a scanner leaves along the page edges."""
    h, w = gray.shape
    dark = (gray < 90).view(np.uint8)
    rows = cv2.reduce(dark, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()  # dark pixels per row
    cols = cv2.reduce(dark, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    limit_r, limit_c = h // 8, w // 8
    removed = {}
    for name, counts, length, limit in (
        ("top", rows, w, limit_r),
        ("bottom", rows[::-1], w, limit_r),
        ("left", cols, h, limit_c),
        ("right", cols[::-1], h, limit_c),
    ):
        n = 0
        while n < limit and 2 * counts[n] > length:  # more than half of the row (column) dark
            n += 1
        if n:
            n += max(2, n // 10)
        removed[name] = int(n)
    return _paint(gray, removed), {"border_px": removed}


def _paint(gray: np.ndarray, removed: dict[str, int]) -> np.ndarray:
    """The page (grey or colour) with the given widths of its four edges painted white."""
    h, w = gray.shape[:2]
    t, b, le, r = removed["top"], removed["bottom"], removed["left"], removed["right"]
    out = gray.copy() if t or b or le or r else gray
    if t:
        out[:t, :] = 255
    if b:
        out[h - b :, :] = 255
    if le:
        out[:, :le] = 255
    if r:
        out[:, w - r :] = 255
    return out


def estimate_skew(gray: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive) that makes text lines horizontal.

    Projection profile: at the right angle the rows of text and the gaps between
    them alternate most sharply, so the variance of the row sums peaks. The rows
    are counted from the ink pixels' rotated coordinates (no image is rotated).
    """
    scale = 1000 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() < 0.5:
        return 0.0
    ys, xs = np.nonzero(ink)
    ys, xs = ys - small.shape[0] / 2, xs - small.shape[1] / 2

    def score(angle: float) -> float:
        radians = np.deg2rad(angle)
        rows = np.rint(ys * np.cos(radians) - xs * np.sin(radians)).astype(np.int64)
        counts = np.bincount(rows - rows.min()).astype(np.float64)
        return float(np.square(np.diff(counts)).sum())

    coarse = max(np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, 1.0), key=score)
    best = max(np.arange(coarse - 0.75, coarse + 0.75 + 1e-9, 0.25), key=score)
    fine = max(np.arange(best - 0.2, best + 0.2 + 1e-9, 0.05), key=score)
    return round(float(fine), 2)


def deskew(gray: np.ndarray, dpi: int = 300) -> tuple[np.ndarray, dict]:
    angle = estimate_skew(gray)
    return _rotate(gray, angle), {"skew_deg": angle}


def _rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < MIN_ROTATION_DEG:  # Tesseract reads such a page as well; resampling would only blur it
        return gray
    h, w = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    # cubic: linear interpolation cost 0.05-1 points of CER on the samples and rendered scans
    white = (255,) * (gray.shape[2] if gray.ndim == 3 else 1)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=white)


MIN_FILTER_DPI = 250  # denoise and binarize only at this resolution and above


def denoise(gray: np.ndarray, dpi: int = 300) -> tuple[np.ndarray, dict]:
    """A 3x3 median filter against scanner grain and JPEG noise. Only at 250 DPI and more: below
    that, strokes of small text are two or three pixels wide and the filter eats them."""
    if dpi < MIN_FILTER_DPI:
        return gray, {"denoised": False}
    return cv2.medianBlur(gray, 3), {"denoised": True}


def binarize(gray: np.ndarray, dpi: int = 300) -> tuple[np.ndarray, dict]:
    """Otsu's global threshold after a light blur. Only at 250 DPI and more: on 200-DPI pages it cost
    section numbers (`III.` read as `HI.`) that Tesseract reads right from the grey image."""
    if dpi < MIN_FILTER_DPI:
        return gray, {"binarized": False}
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, out = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out, {"binarized": True}


STEPS: dict[str, Callable[[np.ndarray, int], tuple[np.ndarray, dict]]] = {
    "border": remove_border,
    "deskew": deskew,
    "denoise": denoise,
    "binarize": binarize,
}


@dataclass
class Prepared:
    image: np.ndarray  # what Tesseract reads
    view: np.ndarray  # the same page for people: not binarized, in colour if it was (same size, so boxes fit it too)
    info: dict  # what each step did, and why steps were left out
    dpi: int  # the resolution of `image` (after any enlargement)

    @property
    def read_both_ways(self) -> bool:
        """A photo (its light evened out) or a small page enlarged, not black and white at first: no one of
        Tesseract's thresholds reads every such page, nor every part of one, best (`tesseract.read_page`)."""
        return self.info.get("kind") != "1-bit" and bool(self.info.get("light_evened") or self.info.get("scale", 1) != 1)


GRAIN_DENOISE = 0.05  # grain (analysis.grain) from which the median filter is worth its blur


def choose_steps(steps: Sequence[str], page: PageAnalysis) -> tuple[list[str], dict[str, str]]:
    """The requested steps this page needs, in the canonical order, and why each other one is left out.

    Measured on 13 real archive pages at 300 dpi against transcriptions: the median filter cost
    2.5-6.6 points of token F1 on clean real scans and helps only on grainy pages (the project's
    rendered scans); binarizing gained 0.2 points on average. A page enlarged from a low
    resolution is read grey: both filters were measured on pages at their true resolution only.
    A 1-bit page is filtered like any other: on 2 clean real 1-bit scans binarizing changed
    nothing (-0.001, 0), on the speckled 1-bit sample the filters took CER from 7.7% to 1.2%."""
    chosen, skipped = [], {}
    for name in ALL_STEPS:
        if name not in steps:
            continue
        if name in ("denoise", "binarize") and page.resolution.dpi < MIN_FILTER_DPI:
            skipped[name] = f"scanned at {page.resolution.dpi} dpi, below {MIN_FILTER_DPI}"
        elif name == "denoise" and page.grain < GRAIN_DENOISE:
            skipped[name] = f"no grain ({page.grain:.3f} < {GRAIN_DENOISE})"
        else:
            chosen.append(name)
    return chosen, skipped


def even_light(gray: np.ndarray) -> np.ndarray:
    """The page divided by its own background (a closing wider than any letter): the shadow and the
    fall-off of a photo's light gone, the print kept.

    On 13 real pages made into phone photos (1400 pixels high, light falling from 65% to 100%
    across the sheet), Tesseract's token F1 on the straightened sheet: 0.831 as it is, 0.908 with
    the light evened, 0.915 with Tesseract's local (Sauvola) threshold on top; bare Tesseract on
    the photo 0.870. Once the desk is cut away, a global threshold splits the sheet's own light."""
    size = max(15, (gray.shape[1] // 40) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    return cv2.divide(gray, background, scale=255)


def _enlarge(image: np.ndarray, scale: float) -> np.ndarray:
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def preprocess(
    gray: np.ndarray, steps: Sequence[str] = DEFAULT_STEPS, *, page: PageAnalysis, view: np.ndarray | None = None
) -> Prepared:
    """Apply those of `steps` this page needs (the page analysis says which), in the canonical order,
    after enlarging a low-resolution page and evening out a photo's light. `view`: the page for
    people when it differs from what Tesseract reads (a colour page whose seals were dropped out);
    it follows every step that moves or paints pixels."""
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"unknown preprocessing step(s): {', '.join(sorted(unknown))}; choose from {', '.join(ALL_STEPS)}")
    info: dict = page.info()
    dpi = page.resolution.dpi
    chosen, skipped = choose_steps(steps, page)
    if skipped:
        info["skipped"] = skipped
    if dpi < UPSCALE_BELOW_DPI:
        scale = UPSCALE_TO_DPI / dpi
        gray = _enlarge(gray, scale)
        view = _enlarge(view, scale) if view is not None else None
        info["scale"] = round(scale, 3)
    if page.kind == "photo":
        view = gray if view is None else view
        gray = even_light(gray)
        info["light_evened"] = True
    info["steps"] = chosen
    follow = view is not None
    view = view if follow else gray
    for name in chosen:
        gray, step_info = STEPS[name](gray, dpi)
        info.update(step_info)
        if follow and name == "border":
            view = _paint(view, step_info["border_px"])
        elif follow and name == "deskew":
            view = _rotate(view, step_info["skew_deg"])
        elif not follow and name != "binarize":
            view = gray
    return Prepared(gray, view, info, round(dpi * info.get("scale", 1)))
