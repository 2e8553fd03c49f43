"""A syllable trigram language model: interpolated Kneser-Ney, stored in backoff form.

Symbols are integers; an n-gram is packed into one int (21 bits per symbol)
so that scoring is a few dict look-ups. A user overlay (counts from the
archive's own corrected text, `vnocr learn`) is interpolated at scoring time
without touching the shipped model.
"""

from __future__ import annotations

import gzip
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .tokens import SENT

BITS = 21
UNK = "<unk>"
DISCOUNT = 0.75
LOG_FLOOR = -12.0


def pack(*ids: int) -> int:
    key = 0
    for i in ids:
        key = (key << BITS) | i
    return key


@dataclass
class NgramCounts:
    uni: Counter = field(default_factory=Counter)
    bi: Counter = field(default_factory=Counter)
    tri: Counter = field(default_factory=Counter)

    def add(self, symbols: list[str], weight: int = 1, boundaries: bool = True) -> None:
        """Count a sentence (`boundaries`), or a fragment whose inner n-grams only are counted."""
        seq = [SENT, SENT, *symbols, SENT] if boundaries else [*symbols]
        for i in range(2 if boundaries else 0, len(seq)):
            if not boundaries:
                self.uni[seq[i]] += weight
                if i >= 1:
                    self.bi[(seq[i - 1], seq[i])] += weight
                if i >= 2:
                    self.tri[(seq[i - 2], seq[i - 1], seq[i])] += weight
                continue
            self.uni[seq[i]] += weight
            self.bi[(seq[i - 1], seq[i])] += weight
            self.tri[(seq[i - 2], seq[i - 1], seq[i])] += weight


def train(counts: NgramCounts, prior: dict[str, float] | None = None, prior_weight: float = 0.2) -> list[tuple[int, tuple[str, ...], float, float]]:
    """Interpolated Kneser-Ney -> (order, ngram, log prob, log backoff) rows, natural logs.

    `prior` (e.g. word frequencies from a package) is mixed into the unigram level
    so that syllables the corpus never saw still get a sensible probability.
    """
    d = DISCOUNT
    # continuation counts
    cont_uni: Counter = Counter(w for (_, w) in counts.bi)
    cont_bi: Counter = Counter((b, c) for (_, b, c) in counts.tri)
    n_bi_types = len(counts.bi)
    vocab = set(counts.uni) | set(prior or ())
    vocab.add(UNK)
    uni_p = {}
    prior_total = sum((prior or {}).values()) or 1.0
    for w in vocab:
        p = cont_uni.get(w, 0) / n_bi_types
        if prior:
            p = (1 - prior_weight) * p + prior_weight * prior.get(w, 0.0) / prior_total
        uni_p[w] = p
    floor = 1.0 / (10 * len(vocab))
    norm = sum(uni_p.values()) + floor * len(vocab)
    uni_p = {w: (p + floor) / norm for w, p in uni_p.items()}

    # bigram level (continuation counts)
    ctx_cont: Counter = Counter()
    ctx_types: Counter = Counter()
    for (b, c), n in cont_bi.items():
        ctx_cont[b] += n
        ctx_types[b] += 1
    bi_p = {}
    bi_bow = {}
    for b, total in ctx_cont.items():
        bi_bow[b] = d * ctx_types[b] / total
    for (b, c), n in cont_bi.items():
        bi_p[(b, c)] = max(n - d, 0) / ctx_cont[b] + bi_bow[b] * uni_p[c]
    # bigrams seen only as whole bigrams at sentence starts (no trigram continuation) keep raw estimates
    ctx_raw: Counter = Counter()
    ctx_raw_types: Counter = Counter()
    for (b, c), n in counts.bi.items():
        ctx_raw[b] += n
        ctx_raw_types[b] += 1
    for (b, c), n in counts.bi.items():
        if (b, c) not in bi_p:
            bow = bi_bow.get(b, d * ctx_raw_types[b] / ctx_raw[b])
            bi_bow.setdefault(b, bow)
            bi_p[(b, c)] = max(n - d, 0) / ctx_raw[b] + bow * uni_p[c]

    # trigram level (raw counts)
    tri_ctx: Counter = Counter()
    tri_types: Counter = Counter()
    for (a, b, c), n in counts.tri.items():
        tri_ctx[(a, b)] += n
        tri_types[(a, b)] += 1
    tri_bow = {ab: d * tri_types[ab] / total for ab, total in tri_ctx.items()}

    def p_bi(b: str, c: str) -> float:
        if (b, c) in bi_p:
            return bi_p[(b, c)]
        return bi_bow.get(b, 1.0) * uni_p[c]

    rows = [(1, (w,), math.log(p), math.log(bi_bow[w]) if w in bi_bow else 0.0) for w, p in uni_p.items()]
    rows += [(2, bc, math.log(p), math.log(tri_bow[bc]) if bc in tri_bow else 0.0) for bc, p in bi_p.items()]
    for (a, b, c), n in counts.tri.items():
        p = max(n - d, 0) / tri_ctx[(a, b)] + tri_bow[(a, b)] * p_bi(b, c)
        rows.append((3, (a, b, c), math.log(p), 0.0))
    return rows


def save(rows: Iterable[tuple[int, tuple[str, ...], float, float]], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for order, gram, lp, bow in rows:
            fh.write(f"{order}\t{' '.join(gram)}\t{lp:.3f}\t{bow:.3f}\n")


class LanguageModel:
    """Scores symbol ids: `logp(a, b, c)` is log P(c | a b)."""

    def __init__(self, path: Path) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        uni: dict[int, float] = {}
        self.bow1: dict[int, float] = {}
        self.bi: dict[int, float] = {}
        self.bow2: dict[int, float] = {}
        self.tri: dict[int, float] = {}
        ids = self.ids
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                order, gram, lp, bow = raw.rstrip("\n").split("\t")
                parts = gram.split(" ")
                for w in parts:
                    if w not in ids:
                        ids[w] = len(self.words)
                        self.words.append(w)
                if order == "1":
                    i = ids[parts[0]]
                    uni[i] = float(lp)
                    if bow != "0.000":
                        self.bow1[i] = float(bow)
                elif order == "2":
                    key = pack(ids[parts[0]], ids[parts[1]])
                    self.bi[key] = float(lp)
                    if bow != "0.000":
                        self.bow2[key] = float(bow)
                else:
                    self.tri[pack(ids[parts[0]], ids[parts[1]], ids[parts[2]])] = float(lp)
        self.unk = ids.setdefault(UNK, len(self.words))
        self.uni = [uni.get(i, LOG_FLOOR) for i in range(len(self.words))]
        self.sent = ids[SENT]
        self.overlay: UserOverlay | None = None

    def id(self, symbol: str) -> int:
        return self.ids.get(symbol, self.unk)

    def logp(self, a: int, b: int, c: int) -> float:
        ab = (a << BITS) | b
        v = self.tri.get((ab << BITS) | c)
        if v is None:
            bc = (b << BITS) | c
            v = self.bi.get(bc)
            if v is None:
                v = self.bow1.get(b, 0.0) + self.uni[c]
            v += self.bow2.get(ab, 0.0)
        if self.overlay is not None:
            v = self.overlay.mix(a, b, c, v)
        return v


class UserOverlay:
    """Trigram and bigram counts from the user's own corrected text, mixed into the shipped model."""

    def __init__(self, counts: NgramCounts, lm: LanguageModel, weight: float = 0.5) -> None:
        self.weight = weight
        ids = lm.ids
        self.tri = {pack(*(ids.get(w, lm.unk) for w in k)): n for k, n in counts.tri.items()}
        self.ctx: Counter = Counter()
        for (a, b, _), n in counts.tri.items():
            self.ctx[pack(ids.get(a, lm.unk), ids.get(b, lm.unk))] += n

    def mix(self, a: int, b: int, c: int, base: float) -> float:
        total = self.ctx.get((a << BITS) | b)
        if not total:
            return base
        p_user = self.tri.get((((a << BITS) | b) << BITS) | c, 0) / total
        return math.log((1 - self.weight) * math.exp(base) + self.weight * p_user)
