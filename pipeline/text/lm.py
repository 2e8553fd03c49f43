"""A syllable n-gram language model: interpolated modified Kneser-Ney, stored in backoff form.

Symbols are integers; an n-gram is packed into one int (BITS bits per symbol)
so that scoring is a few dict look-ups. A user overlay (counts from the
archive's own corrected text, `vnocr learn`) is interpolated at scoring time
without touching the shipped model.
"""

from __future__ import annotations

import gzip
import math
from collections import Counter, defaultdict
from pathlib import Path

from .tokens import SENT

BITS = 18
UNK = "<unk>"
LOG_FLOOR = -14.0
ORDER = 3


def pack(ids: tuple[int, ...]) -> int:
    key = 0
    for i in ids:
        key = (key << BITS) | i
    return key


class NgramCounts:
    """Raw n-gram counts up to `order` (sentences padded with <s>)."""

    def __init__(self, order: int = ORDER) -> None:
        self.order = order
        self.counts: list[Counter] = [Counter() for _ in range(order + 1)]

    def add(self, symbols: list[str], weight: int = 1, boundaries: bool = True) -> None:
        """Count a sentence (`boundaries`), or a fragment whose inner n-grams only are counted."""
        n = self.order
        seq = [SENT] * (n - 1) + symbols + [SENT] if boundaries else list(symbols)
        first = n - 1 if boundaries else 0
        for i in range(first, len(seq)):
            for k in range(1, n + 1):
                if i - k + 1 < 0:
                    break
                self.counts[k][tuple(seq[i - k + 1 : i + 1])] += weight


def _discounts(counts: Counter) -> tuple[float, float, float]:
    """Modified Kneser-Ney discounts D1, D2, D3+ from the counts of counts."""
    n = Counter(min(c, 4) for c in counts.values())
    n1, n2, n3, n4 = (n.get(i, 0) for i in (1, 2, 3, 4))
    if not (n1 and n2 and n3 and n4):
        return 0.5, 0.75, 0.9
    y = n1 / (n1 + 2 * n2)
    return (max(0.1, 1 - 2 * y * n2 / n1), max(0.2, 2 - 3 * y * n3 / n2), max(0.3, 3 - 4 * y * n4 / n3))


def train(counts: NgramCounts, prior: dict[str, float] | None = None, prior_weight: float = 0.1) -> list[tuple[int, tuple[str, ...], float, float]]:
    """Interpolated modified Kneser-Ney -> (order, ngram, log prob, log backoff) rows, natural logs.

    Lower orders use continuation counts (how many different words precede an
    n-gram), except n-grams that start a sentence. `prior` (e.g. word frequencies
    from a package) is mixed into the unigram level so that syllables the corpus
    never saw still get a sensible probability.
    """
    top = counts.order
    adjusted: list[Counter] = [Counter() for _ in range(top + 1)]
    adjusted[top] = counts.counts[top]
    for k in range(top - 1, 0, -1):
        cont: Counter = Counter()
        for gram in counts.counts[k + 1]:
            cont[gram[1:]] += 1
        for gram, raw in counts.counts[k].items():
            adjusted[k][gram] = raw if gram[0] == SENT else cont.get(gram, raw)

    vocab = set(g[0] for g in adjusted[1]) | set(prior or ()) | {UNK}
    total1 = sum(adjusted[1].values())
    prior_total = sum((prior or {}).values()) or 1.0
    uni = {}
    for w in vocab:
        p = adjusted[1].get((w,), 0) / total1
        if prior:
            p = (1 - prior_weight) * p + prior_weight * prior.get(w, 0.0) / prior_total
        uni[w] = p
    floor = 1.0 / (10 * len(vocab))
    norm = sum(uni.values()) + floor * len(vocab)
    probs: list[dict[tuple[str, ...], float]] = [{} for _ in range(top + 1)]
    probs[1] = {(w,): (p + floor) / norm for w, p in uni.items()}
    bows: list[dict[tuple[str, ...], float]] = [{} for _ in range(top + 1)]

    def lower(gram: tuple[str, ...]) -> float:
        """Interpolated probability of the gram's last word given its context, at the gram's order."""
        k = len(gram)
        if gram in probs[k]:
            return probs[k][gram]
        return bows[k - 1].get(gram[:-1], 1.0) * lower(gram[1:]) if k > 1 else probs[1].get(gram, floor / norm)

    for k in range(2, top + 1):
        d1, d2, d3 = _discounts(adjusted[k])
        ctx_total: Counter = Counter()
        ctx_n: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
        for gram, c in adjusted[k].items():
            ctx = gram[:-1]
            ctx_total[ctx] += c
            ctx_n[ctx][min(c, 3) - 1] += 1
        for ctx, (a, b, c3) in ctx_n.items():
            bows[k - 1][ctx] = (d1 * a + d2 * b + d3 * c3) / ctx_total[ctx]
        for gram, c in adjusted[k].items():
            d = d1 if c == 1 else d2 if c == 2 else d3
            probs[k][gram] = max(c - d, 0) / ctx_total[gram[:-1]] + bows[k - 1][gram[:-1]] * lower(gram[1:])

    rows = []
    for k in range(1, top + 1):
        for gram, p in probs[k].items():
            bow = bows[k].get(gram)
            rows.append((k, gram, math.log(p), math.log(bow) if bow else 0.0))
    return rows


def save(rows: list[tuple[int, tuple[str, ...], float, float]], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for order, gram, lp, bow in rows:
            fh.write(f"{order}\t{' '.join(gram)}\t{lp:.3f}\t{bow:.3f}\n")


class LanguageModel:
    """The shipped model, loaded: symbol ids, probabilities and backoffs per order; `scorer()` scores."""

    def __init__(self, path: Path) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        ids = self.ids
        uni: dict[int, float] = {}
        self.probs: list[dict[int, float]] = [{} for _ in range(ORDER + 1)]
        self.bows: list[dict[int, float]] = [{} for _ in range(ORDER + 1)]
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                order_s, gram, lp, bow = raw.rstrip("\n").split("\t")
                order = int(order_s)
                if order > ORDER:
                    raise ValueError(f"{path}: a {order}-gram model; this vnocr scores trigrams (rebuild with `make dictionaries`)")
                key = 0
                for w in gram.split(" "):
                    i = ids.get(w)
                    if i is None:
                        i = ids[w] = len(self.words)
                        self.words.append(w)
                    key = (key << BITS) | i
                if order == 1:
                    uni[key] = float(lp)
                else:
                    self.probs[order][key] = float(lp)
                if bow != "0.000":
                    self.bows[order][key] = float(bow)
        self.unk = ids.setdefault(UNK, len(self.words))
        if self.unk == len(self.words):
            self.words.append(UNK)
        self.uni = [uni.get(i, LOG_FLOOR) for i in range(len(self.words))]
        self.sent = ids[SENT]
        self.overlay: UserOverlay | None = None

    def id(self, symbol: str) -> int:
        return self.ids.get(symbol, self.unk)

    def scorer(self):
        """A fast `score(a, b, c)` for trigram models: log P(c | a b), memoized; and its memo, keyed by
        `((a << BITS | b) << BITS) | c`, for callers that look there first."""
        tri, bi, bow2, bow1, uni = self.probs[3], self.probs[2], self.bows[2], self.bows[1], self.uni
        memo: dict[int, float] = {}
        overlay = self.overlay

        def score(a: int, b: int, c: int) -> float:
            key = (((a << BITS) | b) << BITS) | c
            v = memo.get(key)
            if v is not None:
                return v
            v = tri.get(key)
            if v is None:
                bc = (b << BITS) | c
                v = bi.get(bc)
                if v is None:
                    v = bow1.get(b, 0.0) + uni[c]
                v += bow2.get((a << BITS) | b, 0.0)
            if overlay is not None:
                v = overlay.mix((a, b), c, v)
            if len(memo) > 3_000_000:
                memo.clear()
            memo[key] = v
            return v

        return score, memo


class UserOverlay:
    """Trigram counts from the user's own corrected text, mixed into the shipped model."""

    def __init__(self, counts: NgramCounts, lm: LanguageModel, weight: float = 0.5) -> None:
        self.weight = weight
        ids = lm.ids
        self.tri: Counter = Counter()
        self.ctx: Counter = Counter()
        for gram, n in counts.counts[3].items():
            key = tuple(ids.get(w, lm.unk) for w in gram)
            self.tri[key] += n
            self.ctx[key[:2]] += n

    def mix(self, context: tuple[int, ...], c: int, base: float) -> float:
        h = context[-2:]
        total = self.ctx.get(h)
        if not total:
            return base
        p_user = self.tri.get((*h, c), 0) / total
        return math.log((1 - self.weight) * math.exp(base) + self.weight * p_user)
