"""Confidence that a repaired word is right: the decoder's evidence, calibrated.

For each word, repair gathers its evidence (`Evidence`): the posterior of the
chosen reading against its rivals with the neighbours fixed (channel and
language model together), the channel's own score of that reading, whether repair
changed the word, whether the reading is one the lexicon knows and a
Vietnamese syllable, how many readings competed, the shape of what was read
(capitals, stray symbols, words joined by a hyphen, digits), a symbol of the
OCR's that repair kept at the edge of what it wrote (`nữ’`, `-lượng`), how sure the
decoder and Tesseract were of the neighbours, how the document read the same
letters elsewhere (`DocumentReadings`: a reading the rest of the document
does not share is a doubt), and, for words read from an image, Tesseract's
word confidence. One logistic regression per kind of input
(`group`: the document's mode, from an image or as text; `fit`, by
scripts/build_confidence.py on held-out renders) turns them into a
probability; its coefficients ship in `dictionaries/confidence.json`.

Flags rank the words: per kind of input, the threshold puts the clerk's budget
(`FLAG_BUDGET`, a little under the share promised) on the least confident
words, and a word whose reading the lexicon does not know is always flagged.
"""

from __future__ import annotations

import json
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import regex

from .tokens import is_title
from .vietnamese import fold, is_syllable

CONFIDENCE_PATH = Path(__file__).resolve().parents[2] / "dictionaries" / "confidence.json"
FEATURES = (
    "bias", "posterior logit", "channel", "changed", "unknown", "not a syllable", "log readings",
    "word frequency", "ocr conf", "posterior logit x ocr conf", "neighbour logit", "neighbour ocr conf",
    "document disagrees", "document disagrees x log elsewhere",
    "odd shape", "capitals", "title", "stray symbol", "stray symbol at an edge", "joined", "digits", "read as a syllable", "letters",
    "symbol kept at an edge",
)
GROUPS = ("eng image", "eng text", "vie image", "vie text", "folded image", "folded text")
FLAG_BUDGET = {"eng": 0.072, "vie": 0.043, "folded": 0.072}  # share of words a clerk is asked to look at, by mode: 8% / 5% promised, less a margin for other documents
L2 = 1e-4  # ridge on the coefficients (not the bias), per word: keeps the fit stable, barely shrinks it
DEFAULT_FLAG_BELOW = 0.89  # the posterior's threshold before any calibration
EDGE_PUNCTUATION = "“”\"'()[],.;:!?…"  # around a word, part of the sentence, not of the word
_STRAY = regex.compile(r"[^\p{L}\p{N}]")
_AT_EDGE = regex.compile(r"^[^\p{L}\p{N}]|[^\p{L}\p{N}]$")
_JOINED = regex.compile(r"\p{Ll}[-_]\p{L}")
_KEPT_AT_EDGE = regex.compile(r"^[^\p{L}\p{N}]|[^\p{L}\p{N}%/]$|(?<!\.)/$")  # not 12% nor the closing ./ of a text
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
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
    token: str = ""  # what was read
    syllable: bool = True  # the reading is a Vietnamese syllable (not a code, name or garbled letters)
    neighbour: float = 1.0  # the least posterior of the words either side
    neighbour_ocr_conf: float | None = None  # the least Tesseract confidence of the words either side
    agreement: float = 1.0  # share of the document's words with the reading's letters (marks aside) read so (`DocumentReadings`)
    elsewhere: int = 0  # the document's other words with those letters
    text: str = ""  # what repair wrote

    @property
    def group(self) -> str:
        """The kind of input the calibration was fitted per: the mode, and whether Tesseract's confidence is known."""
        return f"{self.mode} {'text' if self.ocr_conf is None else 'image'}"


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class DocumentReadings:
    """How a document's words were read, grouped by their letters without marks: where the same letters
    were read otherwise elsewhere in the document (dân here, dẫn in five other places), a reading is in doubt."""

    by_letters: dict[str, Counter[str]]

    @classmethod
    def of(cls, readings: Iterable[str]) -> DocumentReadings:
        by_letters: dict[str, Counter[str]] = defaultdict(Counter)  # a Counter made only for letters not met yet
        for reading in readings:
            by_letters[fold(reading)][reading] += 1
        return cls(dict(by_letters))

    def agreement(self, reading: str) -> tuple[float, int]:
        """The share of the document's words with `reading`'s letters that were read as it (1 for a reading
        the document does not hold), and how many other words have those letters."""
        counts = self.by_letters.get(fold(reading))
        if not counts:
            return 1.0, 0
        total = counts.total()
        return counts[reading] / total, total - 1


@lru_cache(maxsize=100_000)
def shape(token: str) -> tuple[float, ...]:
    """What was read, its edge punctuation aside: capitals, title case, a symbol inside and one at an edge
    (-lượng, nữ’: the OCR's, which repair keeps), small words joined by a hyphen (trên-khung), digits,
    a Vietnamese syllable as it stands, and its letters (up to 8, / 4)."""
    core = token.strip(EDGE_PUNCTUATION)
    letters = [c for c in core if c.isalpha()]
    capitals = len(letters) > 1 and all(c.isupper() for c in letters)
    return (
        float(capitals), float(not capitals and is_title(core)), float(bool(_STRAY.search(core))), float(bool(_AT_EDGE.search(core))),
        float(bool(_JOINED.search(core))), float(any(c.isdigit() for c in core)), float(is_syllable(core.lower())), min(len(letters), 8) / 4,
    )


@lru_cache(maxsize=100_000)
def kept_at_edge(text: str) -> bool:
    """What repair wrote, its edge punctuation aside, starts or ends with a symbol no word has: the OCR's,
    kept (nữ’, ‘hệ, -lượng, sách_); a percentage and a text's closing `./` are no such thing."""
    return bool(_KEPT_AT_EDGE.search(text.strip(EDGE_PUNCTUATION)))


def features(e: Evidence) -> tuple[float, ...]:
    logit = _logit(e.posterior)
    conf = 0.0 if e.ocr_conf is None else e.ocr_conf - 0.5
    near_conf = 0.0 if e.neighbour_ocr_conf is None else e.neighbour_ocr_conf - 0.5
    disagrees = 1.0 - e.agreement  # no main effect of `elsewhere`: it grows with the document's length, not with doubt
    return (
        1.0, logit, max(e.channel, -30.0) / 10, float(e.changed), float(not e.known), float(not e.syllable),
        math.log(max(e.readings, 1)), (max(e.frequency, -14.0) + 9.0) / 3, conf, logit * conf, _logit(e.neighbour) / 5, near_conf,
        disagrees, disagrees * math.log1p(e.elsewhere),
        float(e.odd_shape), *shape(e.token), float(kept_at_edge(e.text)),
    )


@dataclass(frozen=True)
class Calibration:
    """Coefficients over `FEATURES` per group (none: the posterior as it is) and the flag threshold per group."""

    coef: tuple[tuple[str, tuple[float, ...]], ...] | None
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
        coef = tuple(sorted((group, tuple(c)) for group, c in data["coef"].items()))
        return cls(coef, tuple(sorted(data["flag_below"].items())))

    def save(self, path: Path, note: dict | None = None) -> None:
        coef = {group: [round(c, 5) for c in values] for group, values in self.coef or ()}
        data = {"features": list(FEATURES), "coef": coef, "flag_below": dict(self.flag_below), **(note or {})}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")

    @cached_property
    def _coef_of(self) -> dict[str, tuple[float, ...]]:
        return dict(self.coef or ())

    @cached_property
    def _flag_below_of(self) -> dict[str, float]:
        return dict(self.flag_below)

    def flags(self, e: Evidence, probability: float) -> bool:
        below = _for_group(self._flag_below_of, e)
        return not e.known or probability < (DEFAULT_FLAG_BELOW if below is None else below)

    def probability(self, e: Evidence) -> float:
        coef = None if self.coef is None else _for_group(self._coef_of, e)
        if coef is None:
            return e.posterior
        z = sum(map(operator.mul, coef, features(e)))
        return 1 / (1 + math.exp(-min(max(z, -30.0), 30.0)))


def _for_group(found: dict[str, T], e: Evidence) -> T | None:
    """The entry for the word's group; a group not fitted (a scan whose marks are all gone) takes its mode's text one."""
    entry = found.get(e.group)
    return found.get(f"{e.mode} text") if entry is None else entry  # the mode's text one looked up only when needed


def fit(evidence: list[Evidence], right: np.ndarray, iterations: int = 40) -> np.ndarray:
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
    """Per group, the confidence below which, with the words the lexicon does not know (always flagged),
    `budget` of its mode's words fall: the clerk's share to review, spent on the least confident words."""
    out = []
    for group in GROUPS:
        words = [e for e in evidence if e.group == group]
        if words:
            conf = np.array([calibration.probability(e) if e.known else -1.0 for e in words])
            out.append((group, round(float(np.quantile(conf, budget[words[0].mode])), 4)))
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
