"""Page analysis: what kind of page this is, read from its pixels before anything is done to it.

Takes a page as decoded (colour or grey, with the resolution its file claims, if any) and gives
the page's true resolution (from the paper size, the height of its letters and the file's
metadata), its kind (1-bit, grey, colour; low resolution), the seals and coloured ink on it, and
the grey image Tesseract should read: colour that is not text (red seals, blue signatures and
handwriting) dropped out. Every decision keeps its evidence for the page's `preprocess` record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

# Paper sizes in inches (short side, long side).
PAPERS = {"A4": (8.27, 11.69), "A5": (5.83, 8.27), "Letter": (8.5, 11.0), "Legal": (8.5, 14.0), "A3": (11.69, 16.54)}
PAPER_TOLERANCE = 0.04  # relative difference of aspect ratios still read as that paper
# Median height in pixels of the letters of body text at 300 dpi (13-14 pt Times New Roman, the
# size Decree 30/2020 sets): 27-30 on every page of the real archive scans.
TEXT_HEIGHT_300 = 28.5
# Fewer letter-shaped components than this (a line or two) say too little about the letters' height:
# diacritics and capitals outweigh the small letters.
MIN_LETTERS = 150
# Below this resolution the page is enlarged to UPSCALE_TO_DPI before Tesseract reads it. Measured on the
# 13 transcribed real pages as 72- and 100-dpi JPEGs (reading order, token F1; scripts/eval_real.py):
# to 125 dpi 0.931 / 0.920 (order at 72 / 100 dpi), to 150 dpi 0.927 / 0.941, to 200 dpi 0.920 / 0.938,
# to 250 dpi 0.917 / 0.928; a 100-dpi page left as it is 0.930 (Tesseract drops whole lines of some).
# Larger enlargements sharpen the JPEG's blocks into the letters. Phone photos near 100 dpi: even.
UPSCALE_BELOW_DPI = 120
MIN_DPI = 10  # a few pixels in paper proportions would otherwise be a page at 0 dpi
UPSCALE_TO_DPI = 150


@dataclass
class Resolution:
    dpi: int  # the resolution the page is read at
    source: str  # metadata | paper | text | default
    metadata: int | None = None  # what the file said
    paper: str | None = None  # the paper size the page's proportions match
    paper_dpi: float | None = None
    text_height: float | None = None  # median letter height in pixels
    text_dpi: float | None = None


@dataclass
class Mark:
    """A region of colour on the page that is not print: a seal, a signature, handwriting."""

    bbox: tuple[int, int, int, int]
    colour: str  # red | blue
    kind: str  # seal | ink


@dataclass
class PageAnalysis:
    resolution: Resolution
    kind: str  # 1-bit | grey | colour
    grain: float  # specks of 1-2 pixels far from any letter, per letter: scanner grain or noise
    marks: list[Mark] = field(default_factory=list)
    outline: list[list[int]] | None = None  # a photo's page corners in the picture, before straightening

    def info(self) -> dict:
        info = {"kind": self.kind, "resolution": asdict(self.resolution), "grain": round(self.grain, 3)}
        if self.outline:
            info["outline"] = self.outline
        return info

    @property
    def seals(self) -> list[dict]:
        return [{"bbox": list(m.bbox), "colour": m.colour} for m in self.marks if m.kind == "seal"]


def paper_of(width: int, height: int) -> tuple[str, float] | None:
    """The paper size whose proportions the image has, and the resolution that makes it that size."""
    short, long_ = sorted((width, height))
    if short <= 0:
        return None
    for name, (paper_short, paper_long) in PAPERS.items():
        if abs((long_ / short) / (paper_long / paper_short) - 1) < PAPER_TOLERANCE:
            return name, short / paper_short
    return None


def _components(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, stats and centroids of the ink's connected components (Otsu's threshold)."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return labels, stats, centroids


def text_height(stats: np.ndarray, page_height: int) -> float | None:
    """Median height of the letters on the page (ink components of letter shape), or None."""
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    area = stats[1:, cv2.CC_STAT_AREA]
    letters = h[(h >= 3) & (h < page_height / 20) & (w >= 2) & (w < 4 * h) & (area > 0.15 * h * w)]
    if len(letters) < MIN_LETTERS:
        return None
    median = np.median(letters)
    core = letters[(letters > 0.5 * median) & (letters < 2 * median)]
    return float(np.median(core))


def grain(labels: np.ndarray, stats: np.ndarray, centroids: np.ndarray) -> float:
    """Specks of one or two pixels with no letter within 12 pixels, per letter-sized component.

    0.13-0.41 on the project's rendered scans (which carry scanner noise on purpose), below 0.02 on
    14 of 15 real archive pages (one grainy colour scan: 0.35)."""
    area = stats[:, cv2.CC_STAT_AREA]
    letters = np.nonzero(area > 20)[0]
    letters = letters[letters > 0]
    specks = np.nonzero(area <= 2)[0]
    specks = specks[specks > 0]
    if not len(letters) or not len(specks):
        return 0.0
    near = cv2.dilate(np.isin(labels, letters).view(np.uint8), np.ones((25, 25), np.uint8))
    xs, ys = centroids[specks, 0].astype(int), centroids[specks, 1].astype(int)
    return float((near[ys, xs] == 0).sum() / len(letters))


def _near(a: float, b: float, factor: float = 1.6) -> bool:
    return 1 / factor < a / b < factor


def estimate_resolution(gray: np.ndarray, metadata: int | None, sheet: bool = False) -> Resolution:
    """The page's true resolution, from what the file says, the paper size and the letters' height.

    Metadata is trusted when the paper size or the letters' height confirms it (the letters within a
    factor of 1.6: type sizes vary); else the paper size when the letters agree with it, or when the
    page is a `sheet` found in a photo and straightened (its proportions are the paper's own, where
    the letters mislead: near 100 dpi they measure taller than they are, blurred and joined by their
    marks; a real page scaled to 102 dpi measures 137 from its letters, its phone photo 168 where its
    A4 sheet says 103); else the letters' height (a cropped page, a screenshot). The letters are
    measured only when the paper size does not already confirm the metadata."""
    h, w = gray.shape[:2]
    paper = paper_of(w, h)
    paper_dpi = paper[1] if paper else None
    res = Resolution(
        dpi=300, source="default", metadata=metadata,
        paper=paper[0] if paper else None, paper_dpi=round(paper_dpi, 1) if paper_dpi else None,
    )
    if metadata and paper_dpi and abs(metadata / paper_dpi - 1) < 0.1:
        res.dpi, res.source = metadata, "metadata"
        return res
    height = text_height(_components(gray)[1], h)
    text_dpi = 300 * height / TEXT_HEIGHT_300 if height else None
    res.text_height, res.text_dpi = height, round(text_dpi, 1) if text_dpi else None
    if metadata and text_dpi and _near(metadata, text_dpi):
        res.dpi, res.source = metadata, "metadata"
    elif paper_dpi and (text_dpi is None or sheet or _near(paper_dpi, text_dpi)):
        res.dpi, res.source = round(paper_dpi), "paper"
    elif text_dpi:
        res.dpi, res.source = round(text_dpi), "text"
    elif metadata:
        res.dpi, res.source = metadata, "metadata"
    res.dpi = max(res.dpi, MIN_DPI)
    return res


COLOUR_STEP = 2  # colour is judged on every other pixel of every other row: seals and ink marks are large


def _strong_colour(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of clearly red and clearly blue pixels (seal ink, ballpoint ink), at 1/COLOUR_STEP scale."""
    hsv = cv2.cvtColor(np.ascontiguousarray(bgr[::COLOUR_STEP, ::COLOUR_STEP]), cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    strong = (sat > 90) & (val > 70)
    return strong & ((hue < 12) | (hue > 160)), strong & (hue > 95) & (hue < 135)


def find_marks(bgr: np.ndarray, dpi: int, masks: tuple[np.ndarray, np.ndarray] | None = None) -> list[Mark]:
    """Seals (red, at least half an inch, about as wide as high) and other coloured ink marks.
    `masks`: `_strong_colour(bgr)`, when already made."""
    red, blue = masks if masks is not None else _strong_colour(bgr)
    dpi = dpi / COLOUR_STEP
    marks = []
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (max(3, round(dpi / 25)),) * 2)
    for colour, mask in (("red", red), ("blue", blue)):
        if not mask.any():
            continue
        joined = cv2.dilate(mask.view(np.uint8), kernel)
        n, _, stats, _ = cv2.connectedComponentsWithStats(joined)
        for i in range(1, n):
            x, y, w, h, _ = (int(v) for v in stats[i])
            if max(w, h) < dpi * 0.12:
                continue
            seal = colour == "red" and min(w, h) > dpi * 0.5 and 0.6 < w / h < 1.7
            box = tuple(v * COLOUR_STEP for v in (x, y, x + w, y + h))
            marks.append(Mark(box, colour, "seal" if seal else "ink"))
    return marks


def dropout(bgr: np.ndarray) -> np.ndarray:
    """The grey page Tesseract reads from a colour page: each pixel's brightest channel, so that red
    seals, blue signatures and blue handwriting fade to white while black print stays black.

    On 6 real colour pages with seals, token F1 of bare Tesseract went from 0.917 (luminance) to 0.938."""
    return cv2.max(cv2.max(bgr[..., 0], bgr[..., 1]), bgr[..., 2])


def grey(image: np.ndarray) -> np.ndarray:
    """The page in grey (luminance): itself when it is grey already."""
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image


def analyze(
    image: np.ndarray, metadata: int | None, outline: np.ndarray | None = None, gray: np.ndarray | None = None
) -> PageAnalysis:
    """What kind of page `image` (grey, or RGB) is, its true resolution, its grain, seals and ink.
    `outline`: the corners of the page in the photo it was straightened from (kind `photo`);
    `gray`: `grey(image)`, when the caller has it already."""
    colour = image.ndim == 3
    gray = grey(image) if gray is None else gray
    resolution = estimate_resolution(gray, metadata, outline is not None)
    masks = _strong_colour(image[..., ::-1]) if colour else None
    marks = find_marks(image[..., ::-1], resolution.dpi, masks) if masks else []
    bilevel = not colour and cv2.countNonZero(cv2.inRange(gray, 1, 254)) == 0
    kind = "1-bit" if bilevel else "colour" if masks and float((masks[0] | masks[1]).mean()) > 0.0005 else "grey"
    corners = outline.round().astype(int).tolist() if outline is not None else None
    return PageAnalysis(resolution, "photo" if corners else kind, page_grain(gray), marks, corners)


def page_grain(gray: np.ndarray) -> float:
    """`grain` of the middle third of the page (body text, a third of the work), or of the whole
    page when the middle holds few letters."""
    third = gray.shape[0] // 3
    if third:
        band = _components(gray[third : 2 * third])
        if int((band[1][1:, cv2.CC_STAT_AREA] > 20).sum()) >= 50:
            return grain(*band)
    return grain(*_components(gray))


OUTLINE_SIDE = 800  # the page outline is looked for on the page shrunk to this longest side
# A photo's page is a bright quadrilateral taking at least this share of the picture, on a
# background at least OUTLINE_CONTRAST grey levels darker; a scan's page fills the whole image.
OUTLINE_MIN_AREA = 0.25
OUTLINE_MAX_AREA = 0.93
OUTLINE_CONTRAST = 40


def page_outline(image: np.ndarray) -> np.ndarray | None:
    """The four corners (top-left, top-right, bottom-right, bottom-left; in pixels) of the sheet of
    paper in a photo of it, or None when the image is the page itself (a scan)."""
    gray = grey(image)
    scale = OUTLINE_SIDE / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    scale = min(scale, 1.0)
    blurred = cv2.GaussianBlur(small, (9, 9), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8))  # the print inside the page
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(sheet) / bright.size
    if not OUTLINE_MIN_AREA <= share <= OUTLINE_MAX_AREA:
        return None
    quad = cv2.approxPolyDP(cv2.convexHull(sheet), 0.02 * cv2.arcLength(sheet, True), True)
    if len(quad) != 4:
        return None
    inside = np.zeros_like(bright)
    cv2.fillPoly(inside, [quad], 255)
    if not (inside == 0).any() or float(blurred[inside > 0].mean()) - float(blurred[inside == 0].mean()) < OUTLINE_CONTRAST:
        return None  # the sheet fills the frame (no desk around it), or is no brighter than what is around it
    corners = quad.reshape(4, 2).astype(np.float32) / scale
    by_sum, by_diff = corners.sum(axis=1), np.diff(corners, axis=1).ravel()
    return np.array([corners[by_sum.argmin()], corners[by_diff.argmin()], corners[by_sum.argmax()], corners[by_diff.argmax()]])


def straighten(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The sheet inside `corners`, seen from straight above: a perspective warp to a rectangle
    whose sides are the outline's longer opposite sides."""
    tl, tr, br, bl = corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([(0, 0), (width - 1, 0), (width - 1, height - 1), (0, height - 1)], np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    white = (255,) * (image.shape[2] if image.ndim == 3 else 1)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=white)
