"""Handwritten digits of a header blank (`Số: 46 /VBHN-BQP`, `ngày 04 tháng 5`), read by a classifier
trained on handwritten digits (`scripts/build_digits.py`, `dictionaries/digits.npz`).

Tesseract reads handwriting as marks (`Ø2 #`, `/{5`); here the blank's ink is cut into glyphs
(connected strokes, strokes that stand over one another joined), each glyph is put upright (its
slant undone by its moments) and framed as the training digits are, the classifier (a support vector
machine) gives each a digit and a runner-up, and how likely it is two digits that touch (`20` written
in one stroke), in which case it is also read cut at its thinnest columns; the surest reading the
field accepts (a day is 1-31) is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import product

import cv2
import numpy as np

from ..text.lexicon import DICT_DIR

MODEL = DICT_DIR / "digits.npz"
SIZE = 28  # the frame of a glyph, as the training digits'
BOX = 20  # the glyph's longer side inside the frame
CUTS = 3  # the columns a wide glyph is tried cut at
CHOICES = 4  # the readings of one glyph kept (its digit and runner-up, or pairs when cut in two)
OTHERS = 3  # the runner-up readings of a blank handed to the field
PAIR = 10  # the classifier's class of two digits that touch
REACH = 0.5  # how far past a room's guessed end a stroke it cuts is followed, in line heights


@dataclass(frozen=True)
class Guess:
    digits: list[tuple[int, float]]  # the glyph's likeliest digit and the runner-up, each with its sureness
    pair: float  # how likely the glyph is two digits that touch (0..1)


@dataclass(frozen=True)
class Reading:
    digits: str
    conf: float  # the product of the glyphs' sureness (0 when nothing was read)
    others: tuple[str, ...] = ()  # the next readings the field takes, surest first (suggestions for the clerks)


def upright(mask: np.ndarray) -> np.ndarray:
    """The glyph (a boolean mask cut to its ink) with its slant undone and framed 28x28, as float 0..1."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 2:
        return np.zeros((SIZE, SIZE), np.float32)
    dy = ys - ys.mean()
    slant = float((dy * (xs - xs.mean())).sum() / max((dy * dy).sum(), 1e-6))
    h, w = mask.shape
    pad = int(abs(slant) * h) + 2
    shear = np.float32([[1, -slant, pad + slant * ys.mean()], [0, 1, 0]])
    straight = cv2.warpAffine(mask.astype(np.uint8) * 255, shear, (w + 2 * pad, h), flags=cv2.INTER_LINEAR)
    ys, xs = np.nonzero(straight > 64)
    if not len(xs):
        return np.zeros((SIZE, SIZE), np.float32)
    glyph = straight[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = BOX / max(glyph.shape)
    glyph = cv2.resize(glyph, (max(1, round(glyph.shape[1] * scale)), max(1, round(glyph.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    frame = np.zeros((SIZE, SIZE), np.float32)
    weights = glyph.astype(np.float32) / 255
    total = weights.sum() or 1.0
    cy = (weights.sum(axis=1) * np.arange(glyph.shape[0])).sum() / total
    cx = (weights.sum(axis=0) * np.arange(glyph.shape[1])).sum() / total
    top = int(np.clip(round(SIZE / 2 - cy), 0, SIZE - glyph.shape[0]))
    left = int(np.clip(round(SIZE / 2 - cx), 0, SIZE - glyph.shape[1]))
    frame[top : top + glyph.shape[0], left : left + glyph.shape[1]] = weights
    return frame


def features(frame: np.ndarray) -> np.ndarray:
    """What the classifier sees of a framed glyph: the directions of its strokes' edges in each of 4x4
    cells (a pen's width barely changes them), then the glyph itself at half size."""
    gx = cv2.Sobel(frame, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(frame, cv2.CV_32F, 0, 1, ksize=3)
    strength = np.hypot(gx, gy)
    direction = np.minimum((np.arctan2(gy, gx) % np.pi / np.pi * 8).astype(int), 7)
    cells = np.stack([(strength * (direction == k)).reshape(4, 7, 4, 7).sum(axis=(1, 3)) for k in range(8)], axis=-1).ravel()
    cells /= np.linalg.norm(cells) + 1e-6
    return np.concatenate([cells, cv2.resize(frame, (14, 14), interpolation=cv2.INTER_AREA).ravel() * 0.5]).astype(np.float32)


@cache
def _model() -> dict[str, np.ndarray]:
    """The classifier's arrays, its support vectors widened to float32 and their squared lengths, once."""
    with np.load(MODEL) as model:
        arrays = {k: model[k] for k in model.files}
    arrays["vectors"] = arrays["vectors"].astype(np.float32)
    arrays["lengths"] = (arrays["vectors"] ** 2).sum(axis=1)
    return arrays


def classify(frames: list[np.ndarray]) -> list[Guess]:
    """Each framed glyph's likeliest digit and how sure of it the classifier is (0..1), then the runner-up
    and the rest of that sureness; and how likely the glyph is two digits that touch, not that digit.

    The classifier is a support vector machine with a Gaussian kernel, one duel per pair of classes
    (as libsvm decides): the ten digits and `PAIR`, two digits touching. Among the digits, the one
    winning most duels wins, and its sureness is the logistic of its narrowest winning margin (0.5
    when it lost a duel); the digit with the next most wins runs up. The duel between `PAIR` and the
    winner says how likely the glyph is two digits."""
    m = _model()
    x = np.stack([features(f) for f in frames])
    kernel = np.exp(-float(m["gamma"]) * ((x * x).sum(1)[:, None] + m["lengths"][None, :] - 2 * x @ m["vectors"].T))
    starts = np.concatenate([[0], np.cumsum(m["n_support"])])
    n = len(m["n_support"])
    duels = np.zeros((len(x), n, n), np.float32)  # duels[k, i, j] > 0: class i beats class j on glyph k
    intercepts = iter(m["intercept"])  # libsvm's order of the duels
    for i in range(n):
        for j in range(i + 1, n):
            si, sj = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
            duels[:, i, j] = kernel[:, si] @ m["coef"][j - 1, si] + kernel[:, sj] @ m["coef"][i, sj] + next(intercepts)
            duels[:, j, i] = -duels[:, i, j]
    labels = [int(label) for label in m["labels"]]
    digits = [i for i, label in enumerate(labels) if label != PAIR]
    pair = labels.index(PAIR)
    among = duels[:, digits][:, :, digits]
    votes = (among > 0).sum(axis=2)
    margin = np.where(among > 0, among, np.inf).min(axis=2)
    ranked = np.argsort(-votes, axis=1, kind="stable")
    guesses = []
    for k, (best, second) in enumerate(ranked[:, :2]):
        sure = float(1 / (1 + np.exp(-2 * min(margin[k, best], 10.0)))) if votes[k, best] == len(digits) - 1 else 0.5
        two = float(1 / (1 + np.exp(-2 * np.clip(duels[k, pair, digits[best]], -10.0, 10.0))))
        guesses.append(Guess([(labels[digits[best]], sure), (labels[digits[second]], 1 - sure)], two))
    return guesses


def _ink(gray: np.ndarray) -> np.ndarray:
    """The dark strokes of a crop (Otsu), as a boolean mask."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary > 0


def glyphs(gray: np.ndarray, span: tuple[int, int], band: tuple[int, int], loose_end: bool = False) -> list[np.ndarray]:
    """The glyphs handwritten in the columns `span` (x0, x1) of a crop across the rows `band` (y0, y1, the
    printed line's), left to right, each a boolean mask cut to its ink.

    Ink outside the span (the printed words beside the blank, a stroke of which a digit may touch),
    strokes that do not reach into the line's band (the lines above and below), slivers at the span's
    edges (a printed letter cut there) and strokes touching the crop's top or bottom are dropped; strokes half as tall as the tallest or
    more are digits, those that stand over one another one digit (a 5 drawn in two strokes); shorter
    ones (specks, rules, a bar drawn apart) are dropped. A `loose_end` (a guess) is moved out of the
    stroke it cuts first (`_to_gap`)."""
    mask = _ink(gray)
    if loose_end:
        span = (span[0], _to_gap(mask[max(0, band[0]) : band[1]], span[1], round(REACH * (band[1] - band[0]))))
    mask[:, : max(0, span[0])] = False
    mask[:, span[1] :] = False
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    height = mask.shape[0]
    sliver = 0.2 * (band[1] - band[0])  # what a printed letter cut at the span's edge leaves inside it
    boxes = [
        [*stats[k, :4], k] for k in range(1, count)
        if 0 < stats[k, 1] and stats[k, 1] + stats[k, 3] < height and min(stats[k, 1] + stats[k, 3], band[1]) - max(stats[k, 1], band[0]) > 0
        and not (stats[k, 2] <= sliver and (stats[k, 0] <= span[0] or stats[k, 0] + stats[k, 2] >= span[1]))
    ]
    if not boxes:
        return []
    tallest = max(b[3] for b in boxes)
    groups: list[list[list[int]]] = []  # digits: strokes half as tall as the tallest or more, left to right
    for b in sorted((b for b in boxes if b[3] >= tallest * 0.5), key=lambda b: b[0]):
        shared, width = _overlap(groups[-1], b) if groups else (0, 0)
        if shared > 0.5 * min(b[2], width):
            groups[-1].append(b)
        else:
            groups.append([b])
    found: list[np.ndarray] = []
    for group in groups:
        x0, y0 = min(g[0] for g in group), min(g[1] for g in group)
        x1, y1 = max(g[0] + g[2] for g in group), max(g[1] + g[3] for g in group)
        found.append(np.isin(labels[y0:y1, x0:x1], [g[4] for g in group]))
    return found


def _to_gap(band: np.ndarray, end: int, reach: int) -> int:
    """The span's end moved out of the stroke it cuts, to the first column of the line's band with no ink,
    `reach` columns away at most; an end with no such column near stays."""
    ink = band.any(axis=0)
    if not 0 < end < len(ink) or not (ink[end - 1] and ink[end]):
        return end
    return next((x for x in range(end, min(len(ink), end + reach + 1)) if not ink[x]), end)


def _overlap(group: list[list[int]], box: list[int]) -> tuple[int, int]:
    """How many columns a stroke's box shares with a group of strokes, and the group's width."""
    x0, x1 = min(g[0] for g in group), max(g[0] + g[2] for g in group)
    return min(x1, box[0] + box[2]) - max(x0, box[0]), x1 - x0


def _halves(glyph: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """A glyph cut in two (two digits that touch) at each of its `CUTS` thinnest columns in the middle half,
    a tenth of its width apart at least; none for a glyph narrower than tall (one digit)."""
    h, w = glyph.shape
    if w < 0.95 * h:
        return []
    columns = glyph.sum(axis=0)
    cuts: list[int] = []
    for cut in w // 4 + np.argsort(columns[w // 4 : w - w // 4], kind="stable"):
        if all(abs(cut - c) >= max(1, w // 10) for c in cuts):
            cuts.append(int(cut))
        if len(cuts) == CUTS:
            break
    return [(trim(glyph[:, :c]), trim(glyph[:, c:])) for c in cuts if glyph[:, :c].any() and glyph[:, c:].any()]


def trim(glyph: np.ndarray) -> np.ndarray:
    """A mask cut to its ink."""
    ys, xs = np.nonzero(glyph)
    return glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _digits(found: list[np.ndarray]) -> list[list[tuple[str, float]]]:
    """Each glyph's digits with their sureness, the surest `CHOICES` first: one digit, or two where the glyph,
    cut in two at one of its thin columns, reads as a pair (digits that touch), each weighed by how
    likely the classifier finds the whole glyph one digit or two."""
    cuts = [_halves(glyph) for glyph in found]
    frames = [upright(g) for glyph, halves in zip(found, cuts) for g in (glyph, *(h for pair in halves for h in pair))]
    guesses = iter(classify(frames))  # one batch
    out = []
    for halves in cuts:
        whole = next(guesses)
        two = whole.pair if halves else 0.0
        choices = {str(d): p * (1 - two) for d, p in whole.digits}
        for _ in halves:
            left, right = next(guesses), next(guesses)
            for a, pa in left.digits:
                for b, pb in right.digits:
                    choices[f"{a}{b}"] = max(choices.get(f"{a}{b}", 0.0), pa * pb * two)
        out.append(sorted(choices.items(), key=lambda c: -c[1])[:CHOICES])
    return out


def read(
    gray: np.ndarray, box: tuple[int, int, int, int], room: tuple[int, int], accept: Callable[[str], bool] = lambda _: True,
    loose_end: bool = False,
) -> Reading:
    """The digits handwritten in a blank of the grey page: `box` its reading's box, `room` the columns
    between the printed words around it (`loose_end`: its end is a guess, and a stroke it cuts is
    followed); and how sure the classifier is of them. The surest reading `accept` takes (a day is 1-31), trying each glyph's runner-up; none
    when it takes none."""
    x0, x1 = min(box[0], room[0]), max(box[2], room[1])
    margin = box[3] - box[1]  # handwriting overruns the printed line, up and down
    top, left = max(0, box[1] - margin), max(0, x0 - margin)
    crop = gray[top : box[3] + margin, left : x1 + margin]
    found = glyphs(crop, (x0 - left, x1 - left), (box[1] - top, box[3] - top), loose_end) if crop.size else []
    if not found or len(found) > 6:
        return Reading("", 0.0)
    readings = [("".join(d for d, _ in picks), float(np.prod([p for _, p in picks]))) for picks in product(*_digits(found))]
    taken: dict[str, float] = {}
    for text, sure in sorted(readings, key=lambda r: -r[1]):
        if accept(text) and text not in taken:
            taken[text] = sure
    if not taken:
        return Reading("", 0.0)
    (best, sure), *rest = taken.items()
    return Reading(best, sure, tuple(text for text, _ in rest[:OTHERS]))
