"""The OCR confusion (channel) model: how the letters of a syllable come out of an OCR.

Learned from `dictionaries/channel/pairs-*.tsv` (truth token, OCR token, count:
our own corpus rendered, OCR'd with `eng` and `vie`, aligned) by aligning the
letters of each pair and counting substitutions, insertions and deletions of
the unmarked truth letters. A few hand-written seeds (`6` for `ô`, `w` for
`ư`, `&` for `ã`...) start the table; the learned counts outweigh them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .vietnamese import fold

if TYPE_CHECKING:
    from .lexicon import Lexicon

CHANNEL_DIR = Path(__file__).resolve().parent.parent / "dictionaries" / "channel"
SEEDS = {  # observed -> truth letters (unmarked) it often stands for
    "6": "o", "0": "o", "§": "o", "¢": "o", "@": "o", "1": "l", "|": "l", "!": "l", "3": "a", "4": "a",
    "&": "a", "$": "s", "5": "s", "8": "e", "w": "u", "j": "i", "f": "t",
}
SEED_COUNT = 3
DEFAULT_SUB, DEFAULT_INDEL = 4.0, 3.5


@dataclass(eq=False)
class Confusions:
    sub: dict[tuple[str, str], float] = field(default_factory=dict)  # (truth, observed) -> cost
    ins: dict[str, float] = field(default_factory=dict)  # observed letter with no truth letter
    dele: dict[str, float] = field(default_factory=dict)  # truth letter that vanished
    skeleton: dict[str, str] = field(default_factory=dict)  # observed -> most likely truth letter

    def cost(self, truth: str, observed: str) -> float:
        """Weighted edit distance (negative log probability) from the truth letters to the observed."""
        prev = [0.0]
        for o in observed:
            prev.append(prev[-1] + self.ins.get(o, DEFAULT_INDEL))
        for t in truth:
            cur = [prev[0] + self.dele.get(t, DEFAULT_INDEL)]
            for j, o in enumerate(observed, start=1):
                sub = 0.0 if t == o else self.sub.get((t, o), DEFAULT_SUB)
                cur.append(min(prev[j - 1] + sub, prev[j] + self.dele.get(t, DEFAULT_INDEL), cur[j - 1] + self.ins.get(o, DEFAULT_INDEL)))
            prev = cur
        return prev[-1]

    def reach(self, observed: str, lexicon: Lexicon, limit: int = 12) -> dict[str, float]:
        """Inventory words the OCR may have turned into `observed`, with log P(observed | word)."""
        return dict(_reach(self, observed, lexicon, limit))


@lru_cache(maxsize=50_000)
def _reach(conf: Confusions, observed: str, lexicon: Lexicon, limit: int) -> tuple[tuple[str, float], ...]:
    obs = fold(observed.lower())
    skeleton = "".join(conf.skeleton.get(ch, ch) for ch in obs)
    keys = _keys(lexicon)
    found: dict[str, float] = {}
    for key, _, _ in process.extract(skeleton, keys, scorer=Levenshtein.distance, score_cutoff=2, limit=40):
        cost = conf.cost(key, obs)
        for word in lexicon.by_fold[key][:6]:
            found[word] = -cost
    best = sorted(found.items(), key=lambda kv: -kv[1])[:limit]
    return tuple(best)


@lru_cache(maxsize=4)
def _keys(lexicon: Lexicon) -> list[str]:
    return [k for k in lexicon.by_fold if len(k) <= 8]


def learn(pairs: list[tuple[str, str, int]]) -> Confusions:
    """Count letter edits over aligned (truth, observed, count) pairs -> costs."""
    subs: Counter = Counter()
    ins: Counter = Counter()
    dels: Counter = Counter()
    seen: Counter = Counter()
    for obs_ch, truth_ch in SEEDS.items():
        subs[(truth_ch, obs_ch)] += SEED_COUNT
        seen[truth_ch] += SEED_COUNT
    for truth, observed, count in pairs:
        t, o = fold(truth.lower()), fold(observed.lower())
        if not t or not o or len(t) > 12 or len(o) > 12:
            continue
        for ch in t:
            seen[ch] += count
        for op, i, j in Levenshtein.editops(t, o):
            if op == "replace":
                subs[(t[i], o[j])] += count
            elif op == "insert":
                ins[o[j]] += count
            else:
                dels[t[i]] += count
    total_ins = sum(seen.values()) or 1
    conf = Confusions()
    for (t, o), n in subs.items():
        conf.sub[(t, o)] = min(DEFAULT_SUB, -math.log((n + 0.5) / (seen[t] + 1)))
    for o, n in ins.items():
        conf.ins[o] = min(DEFAULT_INDEL, -math.log((n + 0.5) / total_ins) - 2.0)
    for t, n in dels.items():
        conf.dele[t] = min(DEFAULT_INDEL, -math.log((n + 0.5) / (seen[t] + 1)))
    best: dict[str, tuple[int, str]] = {}
    for (t, o), n in subs.items():
        if not o.isalpha() or not o.isascii() or o in "wjfz":
            if n > best.get(o, (0, ""))[0]:
                best[o] = (n, t)
    conf.skeleton = {o: t for o, (_, t) in best.items()}
    return conf


def read_pairs(directory: Path = CHANNEL_DIR) -> list[tuple[str, str, int]]:
    pairs = []
    for path in sorted(directory.glob("pairs-*.tsv")):
        for raw in path.read_text("utf-8").splitlines():
            parts = raw.split("\t")
            if len(parts) == 3 and parts[0] != parts[1]:
                pairs.append((parts[0], parts[1], int(parts[2])))
    return pairs


@lru_cache(maxsize=1)
def load() -> Confusions:
    return learn(read_pairs())
