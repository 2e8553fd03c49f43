"""The OCR confusion (channel) model: how the letters of a syllable come out of an OCR.

Learned from `dictionaries/channel/pairs-<mode>.tsv` (truth token, OCR token,
count: our own corpus rendered, OCR'd with Tesseract `eng` or `vie`, aligned
token by token; see scripts/make_ocr_pairs.py) by aligning the letters of each
pair, marks included, and counting substitutions (`ố`->`6`, `ê`->`é`, `ư`->`w`),
insertions, deletions and letters read as two (`ứ`->`it`, `ừ`->`ir`). A few hand-written seeds start the table; the learned
counts outweigh them. `cost(truth, observed)` is a weighted edit distance:
minus the log probability that the OCR turns `truth` into `observed`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import regex
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .tokens import CODE, classify
from .vietnamese import fold, strip_tone

if TYPE_CHECKING:
    from .lexicon import Lexicon

CHANNEL_DIR = Path(__file__).resolve().parents[2] / "dictionaries" / "channel"
SEEDS = (  # (observed, truth letter it often stands for), before any learning
    ("6", "ô"), ("0", "o"), ("§", "ộ"), ("¢", "ơ"), ("1", "l"), ("|", "l"), ("3", "ã"), ("4", "à"), ("&", "ã"), ("&", "ơ"),
    ("¥", "ỹ"), ("$", "s"), ("w", "ư"), ("j", "ị"),
    ("p", "đ"),  # a capital Đ of real print (Times) read as P without Vietnamese: Pang, Poan, Pé (16 of 22 on a real page)
)
SEED_COST = 4.0  # -log P of a seeded confusion the training renders did not show often enough
UNSEEN = 9.0  # cost of an edit never seen in training
MARK_VARIANTS = 12  # spellings a letter has once marks are counted (a, á, à, ả, ã, ạ, ă...)
CODE_PART_MIN = 2  # a code's part read without its marks this often in training is written back (QD -> QĐ)
_CODE_PARTS = regex.compile(r"([/&-])")
RARE_AS_READ = -9.5  # where the words read as they stand are all rarer than this (unigram log probability), a
# letter read as two is searched for as well (sit: sịt, sít, and sử); tinh (tính, tình) is read as it stands
FAR_WORDS = 4  # the most frequent words of a spelling two edits from what was read looked at (8 nearer)
ALSO_LEARNT_FROM = {"eng": "eng-poor", "vie": "vie-clean"}  # the same OCR's pairs off pages of another quality
SPLIT_MIN = 4  # a letter read as two (ứ as `it`, ừ as `ir`) this often in training opens a second search for its word


@dataclass(eq=False)
class Confusions:
    sub: dict[tuple[str, str], float] = field(default_factory=dict)  # (truth, observed) -> cost
    split: dict[tuple[str, str], float] = field(default_factory=dict)  # (truth letter, two observed letters) -> cost: ử as `tv`
    keep: dict[str, float] = field(default_factory=dict)  # truth letter read right
    remark: dict[str, float] = field(default_factory=dict)  # truth letter read with other marks, per variant
    ins: dict[str, float] = field(default_factory=dict)  # observed letter with no truth letter
    dele: dict[str, float] = field(default_factory=dict)  # truth letter that vanished
    skeleton: dict[str, str] = field(default_factory=dict)  # observed symbol -> most likely unmarked letter
    split_skeleton: dict[str, str] = field(default_factory=dict)  # two observed letters -> the unmarked letter they often are (`ir` -> u)
    ins_default: float = UNSEEN
    seen_pairs: dict[str, dict[str, float]] = field(default_factory=dict)  # observed -> truth -> cost, whole tokens
    code_parts: dict[str, str] = field(default_factory=dict)  # a code's part as read -> as written: QD -> QĐ (QĐ-UBND)
    memo: dict[tuple[str, str], float] = field(default_factory=dict)

    def sub_cost(self, t: str, o: str) -> float:
        if t == o:
            return self.keep.get(t, 0.05)
        cost = self.sub.get((t, o))
        if cost is not None:
            return cost
        if fold(t) == fold(o):
            return self.remark.get(t, UNSEEN - 2)
        return UNSEEN

    def cost(self, truth: str, observed: str) -> float:
        """Weighted edit distance (minus log probability) from the truth spelling to the observed one."""
        key = (truth, observed)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        whole = self.seen_pairs.get(observed, {}).get(truth, math.inf)
        ins, dele, split = self.ins, self.dele, self.split
        prev = [0.0]
        for o in observed:
            prev.append(prev[-1] + ins.get(o, self.ins_default))
        for t in truth:
            d = dele.get(t, UNSEEN)
            cur = [prev[0] + d]
            for j, o in enumerate(observed, start=1):
                best = min(prev[j - 1] + self.sub_cost(t, o), prev[j] + d, cur[j - 1] + ins.get(o, self.ins_default))
                if j > 1 and (t, observed[j - 2:j]) in split:
                    best = min(best, prev[j - 2] + split[(t, observed[j - 2:j])])
                cur.append(best)
            prev = cur
        if len(self.memo) > 500_000:
            self.memo.clear()
        self.memo[key] = result = min(prev[-1], whole)
        return result

    def unmarked(self, observed: str) -> str:
        """The unmarked letters `observed` (in small letters) most likely stands for, one for one: n@m -> nam."""
        return "".join(self.skeleton.get(ch, ch) for ch in fold(observed))

    def code(self, read: str, lexicon: Lexicon | None = None) -> str:
        """A code (1968/QD-UBND, 20/2021/ND-CP) with the parts the OCR reads without their marks written back: as
        training saw them written, or, given the lexicon, as it writes an abbreviation (2114/BGDDT-GDCTHSSV: BGDĐT)."""
        def written(part: str) -> str:
            found = self.code_parts.get(part)
            if found is not None or lexicon is None:
                return found or part
            return lexicon.written_abbreviation(part)

        return "".join(map(written, _CODE_PARTS.split(read)))

    def reach(self, observed: str, lexicon: Lexicon, limit: int = 16) -> dict[str, float]:
        """Inventory words the OCR may have turned into `observed`, with log P(observed | word)."""
        return dict(_reach(self, observed, lexicon, limit))


@lru_cache(maxsize=50_000)
def _reach(conf: Confusions, observed: str, lexicon: Lexicon, limit: int) -> tuple[tuple[str, float], ...]:
    obs = observed.lower()
    skeleton = conf.unmarked(obs)
    found: dict[str, float] = {word: -conf.cost(word, obs) for word in conf.seen_pairs.get(obs, ()) if word in lexicon.lm.ids}
    as_read = lexicon.by_fold.get(fold(obs), ())
    rare = not as_read or lexicon.lm.uni[lexicon.lm.ids[as_read[0]]] < RARE_AS_READ
    skeletons = {skeleton, *_unsplit(conf, skeleton)} if rare else {skeleton}  # `sit`: sít, sịt as read, sử with ử as `it`
    near: dict[str, int] = {}
    for s in skeletons:
        for key, distance, _ in process.extract(s, _keys(lexicon), scorer=Levenshtein.distance, score_cutoff=2, limit=30):
            near[key] = min(distance, near.get(key, distance))
    for key, distance in near.items():
        for word in lexicon.by_fold[key][:FAR_WORDS if distance == 2 else 8]:
            if word not in found:
                found[word] = -conf.cost(word, obs)
    uni, ids = lexicon.lm.uni, lexicon.lm.ids
    return tuple(sorted(found.items(), key=lambda kv: -kv[1] - uni[ids[kv[0]]])[:limit])  # channel x prior


def _unsplit(conf: Confusions, skeleton: str) -> list[str]:
    """The skeleton with one pair of letters the OCR often makes of one letter put back as that letter, for each
    such pair in it (`tiv`: `uv` and `tu`, for từ)."""
    pairs = ((i, conf.split_skeleton.get(skeleton[i:i + 2])) for i in range(len(skeleton) - 1))
    return [skeleton[:i] + letter + skeleton[i + 2:] for i, letter in pairs if letter]


def _code_parts(pairs: list[tuple[str, str, int]]) -> dict[str, str]:
    """The parts of codes (between / - &) that the OCR reads without their marks more often than such a part is
    written (ND for NĐ in NĐ-CP; HD stays, written HD as often as read so for HĐ), seen CODE_PART_MIN times."""
    read_for: Counter = Counter()
    written: Counter = Counter()
    for truth, observed, count in pairs:
        t_parts, o_parts = _CODE_PARTS.split(truth), _CODE_PARTS.split(observed)
        if classify(truth) != CODE or len(t_parts) != len(o_parts):
            continue
        for t, o in zip(t_parts, o_parts):
            written[t] += count
            if t != o and fold(t) == fold(o):
                read_for[(o, t)] += count
    return {o: t for (o, t), n in read_for.items() if n >= CODE_PART_MIN and n > written[o]}


def _splits(t: str, o: str) -> list[tuple[str, str]]:
    """The letters of `t` read as two letters of `o`: an inserted letter beside a substituted one (ử -> `tv`)."""
    ops = Levenshtein.editops(t, o)
    replaced = {(op.src_pos, op.dest_pos) for op in ops if op.tag == "replace"}
    found = []
    for op in ops:
        i, j = op.src_pos, op.dest_pos
        if op.tag != "insert":
            continue
        if (i, j + 1) in replaced:
            found.append((t[i], o[j:j + 2]))
        elif (i - 1, j - 1) in replaced:
            found.append((t[i - 1], o[j - 1:j + 1]))
    return found


@lru_cache(maxsize=4)
def _keys(lexicon: Lexicon) -> list[str]:
    """The folded spellings searched for near ones, the most frequent first: of those equally near, the search keeps
    the first (`dug` has more spellings two edits away than it keeps, duoc for được among them)."""
    uni, ids = lexicon.lm.uni, lexicon.lm.ids
    return sorted((k for k in lexicon.by_fold if len(k) <= 8), key=lambda k: -uni[ids[lexicon.by_fold[k][0]]])


def learn(pairs: list[tuple[str, str, int]]) -> Confusions:
    """Count letter edits (marks included) over aligned (truth, observed, count) pairs -> costs."""
    subs: Counter = Counter()
    ins: Counter = Counter()
    dels: Counter = Counter()
    seen: Counter = Counter()
    splits: Counter = Counter()
    truths: Counter = Counter()
    for truth, _, count in pairs:
        truths[truth.lower()] += count
    whole: dict[str, dict[str, float]] = {}
    for truth, observed, count in pairs:
        if count >= 2:
            t, o = truth.lower(), observed.lower()
            whole.setdefault(o, {})[t] = -math.log(count / truths[t])
    for truth, observed, count in pairs:
        t, o = truth.lower(), observed.lower()
        if not t or not o or len(t) > 12 or len(o) > 12:
            continue
        for ch in t:
            seen[ch] += count
        for pair in _splits(t, o):
            splits[pair] += count
        matched = set(range(len(t)))
        for op, i, j in Levenshtein.editops(t, o):
            if op == "replace":
                subs[(t[i], o[j])] += count
                matched.discard(i)
            elif op == "insert":
                ins[o[j]] += count
            else:
                dels[t[i]] += count
                matched.discard(i)
        for i in matched:
            subs[(t[i], t[i])] += count
    conf = Confusions(seen_pairs=whole, code_parts=_code_parts(pairs))
    total = sum(seen.values()) or 1
    remarks: Counter = Counter()
    for (t, o), n in subs.items():
        p = (n + 0.5) / (seen[t] + 1)
        if t == o:
            conf.keep[t] = -math.log(min(p, 0.999))
        else:
            conf.sub[(t, o)] = -math.log(p)
            if fold(t) == fold(o):
                remarks[t] += n
    for obs_ch, truth_ch in SEEDS:  # the seed's letter with any tone (6 for ô, ồ, ố, ổ, ỗ, ộ)
        for t in {*seen, truth_ch}:
            if strip_tone(t)[0] == strip_tone(truth_ch)[0]:
                cost = SEED_COST if t == truth_ch else SEED_COST + 0.5
                conf.sub[(t, obs_ch)] = min(conf.sub.get((t, obs_ch), cost), cost)
    split_letters: Counter = Counter()  # (two observed letters, the unmarked letter they were): ử, ừ as `tv` count for u
    for (t, o), n in splits.items():
        conf.split[(t, o)] = -math.log((n + 0.5) / (seen[t] + 1))
        split_letters[(o, fold(t))] += n
    often = sorted((n, o, t) for (o, t), n in split_letters.items() if n >= SPLIT_MIN)
    conf.split_skeleton = {o: t for _, o, t in often}  # the most frequent letter last, so it is the one kept
    for t, n_t in seen.items():
        conf.remark[t] = -math.log((remarks[t] + 1) / (n_t + 2) / MARK_VARIANTS)
    for o, n in ins.items():
        conf.ins[o] = -math.log((n + 0.5) / total)
    conf.ins_default = -math.log(0.5 / total)
    for t, n in dels.items():
        conf.dele[t] = -math.log((n + 0.5) / (seen[t] + 1))
    best: dict[str, tuple[int, str]] = {o: (0, fold(t)) for o, t in reversed(SEEDS) if not o.isalpha() or o in "wjfz"}
    for (t, o), n in subs.items():
        if t != o and (not o.isalpha() or o in "wjfz") and n > best.get(o, (0, ""))[0]:
            best[o] = (n, fold(t))
    conf.skeleton = {o: t for o, (_, t) in best.items()}
    return conf


def read_pairs(mode: str, directory: Path = CHANNEL_DIR) -> list[tuple[str, str, int]]:
    pairs = []
    path = directory / f"pairs-{mode}.tsv"
    if path.exists():
        for raw in path.read_text("utf-8").splitlines():
            parts = raw.split("\t")
            if len(parts) == 3 and parts[2].isdigit():
                pairs.append((parts[0], parts[1], int(parts[2])))
    return pairs


@lru_cache(maxsize=4)
def load(mode: str) -> Confusions:
    """The channel for `eng` (marks stripped and mangled: clean and poor pages) or `vie` (Vietnamese OCR, marks
    mostly right)."""
    return learn(read_pairs(mode) + read_pairs(ALSO_LEARNT_FROM[mode]))
