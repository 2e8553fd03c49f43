"""A syllable trigram language model: interpolated modified Kneser-Ney, pruned, stored in backoff form
as sorted arrays.

Symbols are integers; an n-gram is packed into one int64 (BITS bits per
symbol). The model is a handful of numpy arrays (`dictionaries/lm.npz`): the
vocabulary, unigram log probabilities and backoffs, and for bigrams and
trigrams their sorted keys with log probabilities (and backoffs for bigrams,
which are the contexts of trigrams). Training looks them up by binary search
(`np.searchsorted`); the loaded model (`LanguageModel`) through one hash index
of both tables (`HashedKeys`), in batches (`scores`): the decoder gathers what
all the paragraphs of a document need at a step and asks once.

Training (`estimate`) works on count arrays (`count_ngrams`) and so takes the
26 million syllables of the legal corpus in a few minutes. A user overlay
(counts from the archive's own corrected text, `vnocr learn`) is interpolated
at scoring time without touching the shipped model.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .tokens import SENT

BITS = 18
MASK = (1 << BITS) - 1
LOW_TWO = (1 << 2 * BITS) - 1  # the last two symbols of a packed n-gram
BIGRAM = 1 << 3 * BITS  # a bigram's key so marked among trigrams' (`LanguageModel.hashed`)
UNK = "<unk>"
UNSEEN = "<?>"  # a history the text does not show (`LanguageModel.unseen`)
LOG_FLOOR = -14.0
ORDER = 3


def pack(ids: tuple[int, ...]) -> int:
    key = 0
    for i in ids:
        key = (key << BITS) | i
    return key


class NgramCounts:
    """Raw n-gram counts up to `order` (sentences padded with <s>), for small texts (the user overlay)."""

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


# training ---------------------------------------------------------------------


@dataclass
class Stream:
    """Sequences of symbol ids laid end to end: `ids`, where each sequence starts (`first`, per
    position), which positions end an n-gram (`counted`: not the <s> padding before a sentence),
    and each position's weight (how much its corpus counts)."""

    ids: np.ndarray
    first: np.ndarray
    counted: np.ndarray
    weight: np.ndarray


def make_stream(ids: np.ndarray, lengths: np.ndarray, sentences: bool, weight: float, sent: int) -> Stream:
    """Sequences given end to end (`ids`, with each one's length) -> a Stream. Sentences get <s> <s>
    before and <s> after, as in `NgramCounts.add`; fragments (a word list's entries) count only
    their inner n-grams."""
    lengths = np.asarray(lengths, np.int64)
    pad_before, pad_after = (2, 1) if sentences else (0, 0)
    sizes = lengths + pad_before + pad_after
    starts = np.cumsum(sizes) - sizes
    out = np.full(int(sizes.sum()), sent, np.int64)
    within = np.arange(len(ids)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[np.repeat(starts + pad_before, lengths) + within] = ids
    first = np.repeat(starts, sizes)
    counted = np.ones(len(out), bool)
    if sentences:
        counted[starts] = False
        counted[starts + 1] = False
    return Stream(out, first, counted, np.full(len(out), weight))


def concat_streams(streams: list[Stream]) -> Stream:
    offsets = np.cumsum([0] + [len(s.ids) for s in streams[:-1]])
    return Stream(
        np.concatenate([s.ids for s in streams]),
        np.concatenate([s.first + off for s, off in zip(streams, offsets)]),
        np.concatenate([s.counted for s in streams]),
        np.concatenate([s.weight for s in streams]),
    )


def count_ngrams(stream: Stream, order: int = ORDER) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per order k (index k; index 0 unused): sorted unique packed keys and their weighted counts."""
    pos = np.arange(len(stream.ids))
    out: list[tuple[np.ndarray, np.ndarray]] = [(np.empty(0, np.int64), np.empty(0))]
    for k in range(1, order + 1):
        ends = np.nonzero(stream.counted & (pos - (k - 1) >= stream.first))[0]
        keys = np.zeros(len(ends), np.int64)
        for j in range(k - 1, -1, -1):
            keys = (keys << BITS) | stream.ids[ends - j]
        uniq, inverse = np.unique(keys, return_inverse=True)
        out.append((uniq, np.bincount(inverse, weights=stream.weight[ends], minlength=len(uniq))))
    return out


def _discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """Modified Kneser-Ney discounts D1, D2, D3+ from the counts of counts."""
    rounded = np.rint(counts)
    n1, n2, n3, n4 = (int(np.count_nonzero(rounded == i)) for i in (1, 2, 3, 4))
    if not (n1 and n2 and n3 and n4):
        return 0.5, 0.75, 0.9
    y = n1 / (n1 + 2 * n2)
    return (max(0.1, 1 - 2 * y * n2 / n1), max(0.2, 2 - 3 * y * n3 / n2), max(0.3, 3 - 4 * y * n4 / n3))


def _lookup(keys: np.ndarray, table: np.ndarray, values: np.ndarray, default: float) -> np.ndarray:
    """values[i] where table[i] == key, else default (table sorted)."""
    found, hit = _find(keys, table, values)
    return np.where(hit, found, default)


def _continuation(lower_keys: np.ndarray, raw: np.ndarray, higher_keys: np.ndarray, k: int, sent: int) -> np.ndarray:
    """Kneser-Ney counts of order-k n-grams: how many different symbols precede each one, except for
    n-grams that start with <s> (they keep their raw count), and those never preceded (fragments)."""
    suffix = higher_keys & ((1 << (BITS * k)) - 1)
    uniq, n = np.unique(suffix, return_counts=True)
    cont = _lookup(lower_keys, uniq, n.astype(np.float64), -1.0)
    starts_sent = (lower_keys >> (BITS * (k - 1))) == sent
    return np.where(starts_sent | (cont < 0), raw, cont)


@dataclass
class ArrayModel:
    """A trained model: what `save` writes and `LanguageModel` reads."""

    words: list[str]
    uni: np.ndarray  # ln p per symbol id
    uni_bow: np.ndarray
    bi_keys: np.ndarray
    bi_lp: np.ndarray
    bi_bow: np.ndarray
    tri_keys: np.ndarray
    tri_lp: np.ndarray


def _context_sums(ctx: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct contexts of sorted n-grams and per-context sums of each column."""
    starts = np.flatnonzero(np.r_[True, ctx[1:] != ctx[:-1]])
    return ctx[starts], [np.add.reduceat(c, starts) for c in columns]


def estimate(
    counts: list[tuple[np.ndarray, np.ndarray]],
    words: list[str],
    prior: np.ndarray | None = None,
    prior_weight: float = 0.1,
    min_count: tuple[float, float] = (1.0, 2.0),
) -> ArrayModel:
    """Interpolated modified Kneser-Ney over count arrays, then pruned.

    `prior` (per symbol id, e.g. word frequencies from a package) is mixed into
    the unigram level so that syllables the corpus never saw still get a
    sensible probability. Bigrams and trigrams counted less than `min_count`
    are dropped after estimation, and the backoffs of their contexts are
    recomputed so that each distribution still sums to one.
    """
    sent = words.index(SENT)
    vocab = len(words)
    (k1, c1), (k2, c2), (k3, c3) = counts[1], counts[2], counts[3]
    adj2 = _continuation(k2, c2, k3, 2, sent)
    adj1_seen = _continuation(k1, c1, k2, 1, sent)
    adj1 = np.zeros(vocab)
    adj1[k1] = adj1_seen
    p = adj1 / adj1.sum()
    if prior is not None:
        p = (1 - prior_weight) * p + prior_weight * prior / max(prior.sum(), 1e-300)
    floor = 1.0 / (10 * vocab)
    p1 = (p + floor) / (p.sum() + floor * vocab)

    # bigrams: p2(c | b) = max(n - D, 0) / T(b) + gamma(b) p1(c)
    d = _discounts(adj2)
    disc2 = np.where(np.rint(adj2) <= 1, d[0], np.where(np.rint(adj2) == 2, d[1], d[2]))
    ctx2 = k2 >> BITS
    ctxs, (tot, dsum) = _context_sums(ctx2, adj2, np.minimum(disc2, adj2))
    gamma1 = np.ones(vocab)
    gamma1[ctxs] = dsum / tot
    tot_of = np.zeros(vocab)
    tot_of[ctxs] = tot
    p2 = np.maximum(adj2 - disc2, 0) / tot_of[ctx2] + gamma1[ctx2] * p1[k2 & MASK]

    # trigrams: p3(c | a b) = max(n - D, 0) / T(a b) + gamma(a b) p2(c | b)
    d = _discounts(c3)
    disc3 = np.where(np.rint(c3) <= 1, d[0], np.where(np.rint(c3) == 2, d[1], d[2]))
    ctx3 = k3 >> BITS
    ctxs3, (tot3, dsum3) = _context_sums(ctx3, c3, np.minimum(disc3, c3))
    at = np.searchsorted(ctxs3, ctx3)
    lower3 = _lookup(k3 & ((1 << 2 * BITS) - 1), k2, p2, 0.0)
    p3 = np.maximum(c3 - disc3, 0) / tot3[at] + (dsum3 / tot3)[at] * lower3

    # pruning, then backoffs that make each context's distribution sum to one again
    keep2 = c2 >= min_count[0]
    keep3 = c3 >= min_count[1]
    contexts = ctxs3[np.unique(at[keep3])]
    keep2 |= np.isin(k2, contexts)  # contexts of kept trigrams carry their backoffs
    k2, p2, ctx2 = k2[keep2], p2[keep2], ctx2[keep2]
    bow1 = _renormalized(ctx2, p2, p1[k2 & MASK], vocab)
    # a context that is no bigram of its own (<s> <s>) gets an entry that scores as its backoff would
    extra = np.setdiff1d(contexts, k2)
    k2 = np.concatenate([k2, extra])
    p2 = np.concatenate([p2, bow1[extra >> BITS] * p1[extra & MASK]])
    order = np.argsort(k2, kind="stable")
    k2, p2 = k2[order], p2[order]
    k3, p3, lower3, ctx3 = k3[keep3], p3[keep3], lower3[keep3], ctx3[keep3]
    ctx_keys, (kept_p, kept_lower) = _context_sums(ctx3, p3, lower3) if len(k3) else (np.empty(0, np.int64), [np.empty(0), np.empty(0)])
    bow2 = np.ones(len(k2))
    where = np.searchsorted(k2, ctx_keys)
    bow2[where] = np.clip(1 - kept_p, 1e-12, None) / np.clip(1 - kept_lower, 1e-12, None)
    return ArrayModel(
        words, np.log(p1).astype(np.float32), np.log(bow1).astype(np.float32),
        k2, np.log(p2).astype(np.float32), np.log(bow2).astype(np.float32),
        k3, np.log(p3).astype(np.float32),
    )


def _renormalized(ctx: np.ndarray, p: np.ndarray, lower: np.ndarray, vocab: int) -> np.ndarray:
    bow = np.ones(vocab)
    if len(ctx):
        ctxs, (kept_p, kept_lower) = _context_sums(ctx, p, lower)
        bow[ctxs] = np.clip(1 - kept_p, 1e-12, None) / np.clip(1 - kept_lower, 1e-12, None)
    return bow


def bigram_logprob(m: ArrayModel, keys: np.ndarray) -> np.ndarray:
    """ln P(c | b) for packed bigram keys, backing off to unigrams."""
    out, hit = _find(keys, m.bi_keys, m.bi_lp)
    miss = ~hit
    if miss.any():
        out[miss] = _unigram(m, keys[miss])
    return out


def trigram_logprob(m: ArrayModel, keys: np.ndarray) -> np.ndarray:
    """ln P(c | a b) for packed trigram keys, backing off to bigrams."""
    tri, tri_hit = _find(keys, m.tri_keys, m.tri_lp)
    bow, _ = _find(keys >> BITS, m.bi_keys, m.bi_bow)
    bi, bi_hit = _find(keys & LOW_TWO, m.bi_keys, m.bi_lp)
    return _backed_off(m, keys, tri, tri_hit, bow, bi, bi_hit)


def _unigram(m: ArrayModel, keys: np.ndarray) -> np.ndarray:
    """ln P(c | b) for packed bigram keys the model does not hold: P(c), with b's backoff."""
    return m.uni[keys & MASK].astype(np.float64) + m.uni_bow[keys >> BITS]


def _backed_off(m: ArrayModel, keys: np.ndarray, tri: np.ndarray, tri_hit: np.ndarray, bow: np.ndarray, bi: np.ndarray, bi_hit: np.ndarray) -> np.ndarray:
    """ln P(c | a b) for packed trigram keys from what the tables hold: each trigram's score and whether it is there,
    the backoff of its context (a b; 0 where none), the score of its bigram (b c) and whether that is there. In the
    tables' precision: a score backed off to the unigrams is rounded to it before the backoff is added."""
    unigram = _unigram(m, keys & LOW_TWO).astype(bi.dtype)
    return np.where(tri_hit, tri, np.where(bi_hit, bi, unigram) + bow)


def _find(keys: np.ndarray, table: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values where the key is in the sorted table, else 0; which keys were found)."""
    if len(table) == 0:
        return np.zeros(len(keys)), np.zeros(len(keys), bool)
    at = table.searchsorted(keys)
    at[at == len(table)] = 0
    hit = table[at] == keys
    return np.where(hit, values[at], 0.0), hit


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / the golden ratio: multiplied by it, keys spread over the buckets


class HashedKeys:
    """A table of packed keys and their values (`columns`) indexed by hash: a key's bucket (about one key in two
    buckets) is read in two or three memory reads, where a binary search of a sorted table takes twenty, most of
    them missing the memory cache (the decoder's trigrams are mostly not in the model)."""

    def __init__(self, table: np.ndarray, *columns: np.ndarray) -> None:
        """Built in place where it can be (each new array's pages cost the kernel a fault when first written)."""
        bits = len(table).bit_length() + 1
        self.shift = np.uint64(64 - bits)
        order = self._buckets(table)  # each key's bucket, then (sorted with the key's place) the table by bucket
        self.start = np.zeros((1 << bits) + 1, np.int32)  # where each bucket starts in `keys`
        np.cumsum(np.bincount(order, minlength=1 << bits), out=self.start[1:])
        order <<= 32
        order |= np.arange(len(table))
        order.sort()
        order &= 0xFFFFFFFF
        self.keys = table[order]
        self.columns = [_taken(column, order) for column in columns]

    def _buckets(self, keys: np.ndarray) -> np.ndarray:
        hashed = keys.astype(np.uint64)
        hashed *= _GOLDEN
        hashed >>= self.shift
        return hashed.view(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Where each key stands in `keys` (and `columns`), -1 where it is not in the table."""
        found = np.full(len(keys), -1, np.int64)
        buckets = self._buckets(keys)
        at, end = self.start[buckets], self.start[buckets + 1]
        todo = np.flatnonzero(at < end)
        at, end = at[todo], end[todo]
        while len(todo):  # the keys not found yet, each at the next key of its bucket
            same = self.keys[at] == keys[todo]
            found[todo[same]] = at[same]
            at += 1
            more = ~same & (at < end)
            todo, at, end = todo[more], at[more], end[more]
        return found


def _taken(column: np.ndarray, order: np.ndarray) -> np.ndarray:
    """`column` in `order`, then 0 (read for a key not found, -1)."""
    out = np.zeros(len(order) + 1, column.dtype)
    np.take(column, order, out=out[:-1])
    return out


def interpolate(first: ArrayModel, second: ArrayModel, weight: float) -> ArrayModel:
    """One backoff model for `weight` x first + (1 - weight) x second (same vocabulary): every n-gram of
    either gets the mixed probability, and each context's backoff is set so that its distribution sums
    to one (static interpolation, as SRILM's -mix-lm does)."""

    def mixed(p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
        return np.log(weight * np.exp(p1) + (1 - weight) * np.exp(p2))

    vocab = len(first.words)
    uni = mixed(first.uni.astype(np.float64), second.uni.astype(np.float64))
    bi_keys = np.union1d(first.bi_keys, second.bi_keys)
    bi_lp = mixed(bigram_logprob(first, bi_keys), bigram_logprob(second, bi_keys))
    uni_bow = _renormalized(bi_keys >> BITS, np.exp(bi_lp), np.exp(uni[bi_keys & MASK]), vocab)
    tri_keys = np.union1d(first.tri_keys, second.tri_keys)
    tri_lp = mixed(trigram_logprob(first, tri_keys), trigram_logprob(second, tri_keys))
    lower = _lookup(tri_keys & ((1 << 2 * BITS) - 1), bi_keys, bi_lp, np.nan)
    lower = np.where(np.isnan(lower), uni[tri_keys & MASK] + np.log(uni_bow[(tri_keys >> BITS) & MASK]), lower)
    bi_bow = np.ones(len(bi_keys))
    if len(tri_keys):
        ctxs, (kept_p, kept_lower) = _context_sums(tri_keys >> BITS, np.exp(tri_lp), np.exp(lower))
        bi_bow[np.searchsorted(bi_keys, ctxs)] = np.clip(1 - kept_p, 1e-12, None) / np.clip(1 - kept_lower, 1e-12, None)
    return ArrayModel(
        first.words, uni.astype(np.float32), np.log(uni_bow).astype(np.float32),
        bi_keys, bi_lp.astype(np.float32), np.log(bi_bow).astype(np.float32),
        tri_keys, tri_lp.astype(np.float32),
    )


def save(model: ArrayModel, path: Path) -> None:
    """Compact on disk: keys as deltas (small numbers compress well), probabilities as float16."""
    np.savez_compressed(
        path,
        words=np.frombuffer("\n".join(model.words).encode("utf-8"), np.uint8),
        uni=model.uni, uni_bow=model.uni_bow,
        bi_delta=np.diff(model.bi_keys, prepend=np.int64(0)), bi_lp=model.bi_lp.astype(np.float16), bi_bow=model.bi_bow.astype(np.float16),
        tri_delta=np.diff(model.tri_keys, prepend=np.int64(0)), tri_lp=model.tri_lp.astype(np.float16),
    )


def load_arrays(path: Path) -> ArrayModel:
    with np.load(path) as z:
        return ArrayModel(
            z["words"].tobytes().decode("utf-8").split("\n"),
            z["uni"], z["uni_bow"],
            np.cumsum(z["bi_delta"]), z["bi_lp"].astype(np.float32), z["bi_bow"].astype(np.float32),
            np.cumsum(z["tri_delta"]), z["tri_lp"].astype(np.float32),
        )


# scoring ----------------------------------------------------------------------


class LanguageModel:
    """The shipped model, loaded: symbol ids and the arrays; `scores()` scores packed trigrams in batches."""

    def __init__(self, path: Path) -> None:
        arrays = load_arrays(path)
        # a symbol for a history the text does not show (a line that opens inside a sentence): it opens no n-gram
        # and backs off at no cost, so the words after it are scored by their unigrams, then by their bigrams
        arrays.words.append(UNSEEN)
        arrays.uni, arrays.uni_bow = np.append(arrays.uni, np.float32(LOG_FLOOR)), np.append(arrays.uni_bow, np.float32(0.0))
        self.arrays = arrays
        self.words: list[str] = arrays.words
        self.ids: dict[str, int] = {w: i for i, w in enumerate(self.words)}
        self.unk = self.ids[UNK]
        self.sent = self.ids[SENT]
        self.unseen = self.ids[UNSEEN]
        self.uni: list[float] = arrays.uni.astype(np.float64).tolist()
        self.overlay: UserOverlay | None = None
        # one hash index over trigrams and bigrams (marked by BIGRAM), with their scores and backoffs (none: 0.0)
        self.hashed = HashedKeys(
            np.concatenate([arrays.tri_keys, arrays.bi_keys | BIGRAM]),
            np.concatenate([arrays.tri_lp, arrays.bi_lp]),
            np.concatenate([np.zeros(len(arrays.tri_keys), np.float32), arrays.bi_bow]),
        )

    def id(self, symbol: str) -> int:
        return self.ids.get(symbol, self.unk)

    def logprob(self, keys: np.ndarray) -> np.ndarray:
        """ln P(c | a b) for packed trigram keys, in a batch: the trigrams, their contexts and their bigrams looked up
        at once in the hash index."""
        keys = np.asarray(keys, np.int64)
        n = len(keys)
        found = self.hashed.find(np.concatenate([keys, (keys >> BITS) | BIGRAM, (keys & LOW_TWO) | BIGRAM]))
        tri, context, bigram = found[:n], found[n : 2 * n], found[2 * n :]
        lp, bow = self.hashed.columns
        return _backed_off(self.arrays, keys, lp[tri], tri >= 0, bow[context], lp[bigram], bigram >= 0)

    def scores(self, keys: list[int] | np.ndarray) -> list[float]:
        """ln P(c | a b) for packed trigram keys, in one batch, with the user overlay mixed in."""
        keys = np.asarray(keys, np.int64)
        values = self.logprob(keys).tolist()
        if self.overlay is None:
            return values
        return [self.overlay.mix(((k >> BITS) >> BITS, (k >> BITS) & MASK), k & MASK, v) for k, v in zip(keys.tolist(), values)]


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
