"""Confidence that a repaired word is right: the decoder's evidence, calibrated.

For each word, repair gathers its evidence (`Evidence`): the posterior of the
chosen reading against its rivals with the neighbours fixed (channel and
language model together), the channel's own score of that reading, whether
repair changed the word, whether the reading is one the lexicon knows, how
many readings competed, how the document's OCR treats marks, and, for words
read from an image, Tesseract's word confidence. A logistic regression over
these (`fit`, by scripts/build_confidence.py on held-out renders) turns them
into a probability; its coefficients ship in `dictionaries/confidence.json`.
Words below `flag_below` are flagged for the clerks.
"""

from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

CONFIDENCE_PATH = Path(__file__).resolve().parents[2] / "dictionaries" / "confidence.json"
FEATURES = (
    "bias", "posterior logit", "channel", "changed", "unknown", "log readings",
    "eng", "vie", "eng x posterior logit", "vie x posterior logit",
    "image", "ocr conf", "eng x ocr conf", "odd shape", "word frequency",
)
FLAG_BUDGET = {"eng": 0.08, "vie": 0.05, "folded": 0.08}  # share of words a clerk is asked to look at, by input
L2 = 1e-5  # ridge on the coefficients (not the bias), per word: keeps the fit stable, barely shrinks it
DEFAULT_FLAG_BELOW = 0.89  # the posterior's threshold before any calibration


@dataclass(frozen=True)
class Evidence:
    posterior: float  # the chosen reading against its rivals, neighbours fixed (0..1)
    channel: float  # ln P(what was read | the chosen reading)
    changed: bool  # repair changed the word
    known: bool  # the reading is a syllable, word or abbreviation the lexicon knows
    readings: int  # readings that competed
    mode: str  # eng | vie | folded (repair.Params.mode)
    ocr_conf: float | None = None  # Tesseract's word confidence (0..1), for words read from an image
    odd_shape: bool = False  # what was read does not look like a word: a lone letter or mark, symbols inside letters
    frequency: float = -9.0  # ln unigram probability of the reading (-9 for a word the model does not know)


def features(e: Evidence) -> tuple[float, ...]:
    p = min(max(e.posterior, 1e-4), 1 - 1e-4)
    logit = math.log(p / (1 - p))
    eng, vie = float(e.mode == "eng"), float(e.mode == "vie")
    image = e.ocr_conf is not None
    conf = e.ocr_conf - 0.5 if image else 0.0
    return (
        1.0, logit, max(e.channel, -30.0) / 10, float(e.changed), float(not e.known), math.log(max(e.readings, 1)),
        eng, vie, eng * logit, vie * logit,
        float(image), conf, eng * conf, float(e.odd_shape), (max(e.frequency, -14.0) + 9.0) / 3,
    )


@dataclass(frozen=True)
class Calibration:
    """Coefficients over `FEATURES` (none: the posterior as it is) and the flag threshold per mode."""

    coef: tuple[float, ...] | None
    flag_below: tuple[tuple[str, float], ...] = ()

    @classmethod
    def identity(cls) -> Calibration:
        """The decoder's posterior taken as the confidence (what is calibrated, while fitting)."""
        return cls(None)

    @classmethod
    def load(cls, path: Path = CONFIDENCE_PATH) -> Calibration:
        if not path.exists():
            return cls.identity()
        data = json.loads(path.read_text("utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: fitted for other features; rebuild with `make dictionaries`")
        return cls(tuple(data["coef"]), tuple(sorted(data["flag_below"].items())))

    def save(self, path: Path, note: dict | None = None) -> None:
        data = {"features": list(FEATURES), "coef": [round(c, 5) for c in self.coef or ()], "flag_below": dict(self.flag_below), **(note or {})}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")

    @cached_property
    def _flag_below(self) -> dict[str, float]:
        return dict(self.flag_below)

    def flags(self, e: Evidence, probability: float) -> bool:
        return probability < self._flag_below.get(e.mode, DEFAULT_FLAG_BELOW)

    def probability(self, e: Evidence) -> float:
        if self.coef is None:
            return e.posterior
        z = sum(map(operator.mul, self.coef, features(e)))
        return 1 / (1 + math.exp(-min(max(z, -30.0), 30.0)))


def fit(evidence: list[Evidence], right: np.ndarray, iterations: int = 30) -> np.ndarray:
    """Logistic regression (Newton's method, ridge on all but the bias): coefficients over FEATURES."""
    x = np.array([features(e) for e in evidence])
    y = right.astype(np.float64)
    w = np.zeros(x.shape[1])
    ridge = np.full(x.shape[1], L2 * len(y))
    ridge[0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + ridge * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(ridge) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def thresholds(calibration: Calibration, evidence: list[Evidence], budget: dict[str, float] = FLAG_BUDGET) -> tuple[tuple[str, float], ...]:
    """Per mode, the confidence below which `budget` of the words fall: the clerk's share to review."""
    out = []
    for mode, share in sorted(budget.items()):
        conf = np.array([calibration.probability(e) for e in evidence if e.mode == mode])
        if len(conf):
            out.append((mode, round(float(np.quantile(conf, share)), 4)))
    return tuple(out)


def expected_calibration_error(conf: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """Mean gap between confidence and accuracy over equal-width confidence bins, weighted by size."""
    edges = np.minimum((conf * bins).astype(int), bins - 1)
    gap = 0.0
    for b in range(bins):
        sel = edges == b
        if sel.any():
            gap += sel.sum() / len(conf) * abs(conf[sel].mean() - right[sel].mean())
    return gap


def caught_at_rates(conf: np.ndarray, right: np.ndarray, rates: tuple[float, ...]) -> list[float]:
    """Share of the wrong words among the least confident `rate` of all words, for each rate."""
    order = np.argsort(conf, kind="stable")
    wrong = ~right[order]
    total = max(1, int(wrong.sum()))
    return [float(wrong[: int(round(rate * len(conf)))].sum() / total) for rate in rates]
