"""Repair: restore Vietnamese diacritics and fix OCR errors with a noisy-channel decoder.

For each token, candidates come from the syllable inventory: every syllable
with the same letters once marks are removed, and for garbled tokens (`S6`,
`ciia`, `Pang`) the syllables reachable through the OCR confusion model. Each
candidate is scored by the channel (how likely the OCR turns it into what we
read) and by the trigram language model in context; a beam search finds the
best reading of each paragraph. Confidence is the posterior of the chosen
reading against its rivals with the neighbours fixed.

The channel adapts to the document: the share of marked syllables and of
unknown tokens tells whether marks were stripped (an OCR without Vietnamese),
mangled, or are mostly right (Tesseract `vie`), so clean text passes through
unchanged while folded text is fully restored.
"""

from __future__ import annotations

import gc
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from operator import add
from pathlib import Path
from typing import Any

import numpy as np
import regex
from rapidfuzz.distance import Indel, Levenshtein

from ..model import Document, Line, Word
from . import channel as channel_model
from .confidence import EDGE_PUNCTUATION, Calibration, DocumentReadings, Evidence
from .lexicon import Lexicon, load_lexicon
from .lm import BITS, pack
from .tokens import CODE, GAP, SENTENCE_END, Piece, classify, is_title, lm_symbol, marks_read_as_questions, part_specked, to_roman, unglue
from .vietnamese import BASE_VOWELS, BEYOND_LATIN_1, apply_case, fold, is_syllable, nfc, normalize_tone_placement

EXPECTED_MARK_RATE = 0.88  # share of syllables with a mark in clean administrative text (corpus)
BEAM = 8
BEAM_DELTA = 7.0  # states this far (in log probability) behind the best are dropped
BEAM_START = 24  # states kept on a paragraph's first two words, whose sentence start says little (Thói quen)
BEAM_DELTA_START = 12.0  # on a paragraph's first two words: a line's start is often no sentence's (cài đặt)
GARBLED = 0.05  # share of unknown words from which a document is read as garbled
PRIOR_UNKNOWN = 0.03  # the share of unknown words assumed before any are seen: below GARBLED, so a text with no evidence is not read as garbled
_ESTIMATE_PUNCT = "”\"')],.;:!?…"
KEEP_UNKNOWN = {"eng": (-6.0, -6.0), "vie": (-2.0, -0.1)}  # log P(a word not in the lexicon is right): letters, with digits
KEEP_GARBLED = -6.0  # further log odds against keeping as read a token that reads as no word (_looks_garbled)
KEEP_MISMARKED = -3.0  # where marks are read, further log odds against keeping a marked word the model does not know (_mismarked)
UNKNOWN_LM = -9.0  # language-model score of a word the model does not know, kept as read
TITLE_AS_LOWER = -4.0  # a capitalised word inside a sentence read as a common word
_LETTERS = regex.compile(r"^\p{L}+$")
_MIXED_CASE = regex.compile(r"^\p{Ll}+\p{Lu}|\p{Lu}\p{Ll}+\p{Lu}")  # eGov, VNeID: names, keep
_ROMAN = regex.compile(r"^(?=.*[IVX])[IVXl1]{1,6}$")  # I11, 1I, IV: section numbers, read by structure
_ROMAN_READ = str.maketrans("l1", "II")  # Ill., 1V.: the OCR's l and 1 for the I of a section number
_UNIT = regex.compile(r"^[kcdh]?m[23]$")  # m2, km2, m3: units of area and volume, read as written (not mỏ, mã)
# `đ)`: a list item's letter (a) b) c) d) đ) e)...), kept as read wherever the OCR reads marks
_ENUMERATOR = regex.compile(r"^\p{Ll}\)$")
_NOT_GARBLE = regex.compile(r"[^\p{L}0-9&$§¢¥@|!?'’`´]")  # m², 5°C: symbols an OCR does not put for a letter
_GARBLED_SHAPE = regex.compile(r"\p{L}[¥§¢&@|]|[¥§¢&@|]\p{L}|[^\x00-\x7f]\d|\d[^\x00-\x7f]")  # k¥, x&, sé6, Po6i is not
_LETTER_LIKE = regex.compile(r"^(?:\d{1,2}|[@&§¢])$")  # what an OCR without Vietnamese makes of ở, là, ô...
KEEP_NUMBER = math.log(0.5)
_BROKEN_CODE = regex.compile(r"\d[/\p{Lu}\p{N}]*[/-]$")
# a token print never has (none in vn-legal's 26M syllables): a rule's edge or a speck the OCR read
_NO_PRINT = regex.compile(r"^[|¦©®]+$")
# An OCR without Vietnamese reads the horn of ư and ơ as an apostrophe (tu’, nu’éc, THU'C); administrative
# text quotes with “ ”, so there an apostrophe after u or o is taken for the horn
_HORN = regex.compile(r"([uUoO])['’](?=\p{L}|[^\p{L}\p{N}]*$)")
_HORNED = str.maketrans("uUoO", "ưƯơƠ")
# It reads a small l as a capital I or J (Ién, I6p, Ii, Jén for lớn, lớp, lũ, lên): inside a sentence, a word of
# small letters after an I or a J that is no word as read starts with an l
_I_FOR_L = regex.compile(r"^([^\p{L}\p{N}]*)[IJ](?=[\p{Ll}\d])")
_NAME_PUNCT = "“”\"'(,"
_HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "cô", "chú", "bác", "chí"})  # before a name: Ông, Bà, đồng chí
NAME_WORD = -9.0  # a capitalised word rarer than this (log P) is taken for part of a name (Nậm Xé), a commoner one not
_CASE_ALIKE = set("cosuvwxz")  # small letters of the shape of their capitals: read small at a word's start in capitals
GLUED_CHANNEL = -10.0  # a token no single word reaches with a better channel score may be two syllables glued
GLUED_BOND = 2.0  # ... where the second is this much likelier (log odds) after the first than alone
GLUED_READINGS = 4  # readings of each part (the most frequent) looked at
GLUED_WAY = 3.0  # where marks are read, a glued token parted one way of several only where its words are this much commoner (log P)
RARE_GAP = 9.0  # candidates this far below the best (channel + unigram) are not worth a look
FOREIGN_REACH = 6.0  # channel cost (-log P) within which a word that is no syllable is a reading of another token
CACHE_SURE = 0.9  # a reading this sure settles the document's vocabulary
CACHE_LEAN_BELOW = 0.99  # readings less sure than this lean to the document's settled one
CACHE_MIN = 2  # times a reading is settled beside the same words before the document leans to it
CACHE_REACH = 6.0  # readings whose channel is this far below the reading chosen are no rivals (người van chưa: vẫn, not dân)
CACHE_REACH_MARKS = 9.0  # ... unless only marks tell them apart: Tesseract `vie` reads THUẾ as THUÊ at a cost of 8.4
CACHE_WEIGHT = 4.0  # log odds given to the document's settled reading (all of them agreeing)
CHANGE_SURE = 0.5  # where marks are read, a change less likely than not leaves the word as read
RARE_WORD = -11.0  # unigram log probability below which a folded reading may as well be a garbled one
SPLIT_JOINED = -12.0  # a syllable cut in two is joined back only into a word at least this common (log P)
_SPLIT_AFTER = ",.;:!?)"  # the sentence's punctuation after the second piece, kept after the word joined
_CUT_MARKS = "!|'`"  # a stroke of the cut read after the first piece (`THƯ! ỜNG`), dropped
RARE_READ = -10.0  # a word read with its marks this rare, and doubted, is looked for among the words the OCR may have misread (`đu`: đầu)
DOUBTED_READ = 0.8  # Tesseract's confidence below which a rare word it read is doubted (`đu` 0.48 and 0.74; `sạ`, `rạ` 0.93 are print)
ROWS_LIMIT = 200_000  # remembered rows of trigram scores (`Repairer._remembered`), about 100 MB
# a token with symbols inside, between letters: its first letter and its last one or two (Cc“)ng, k)em); not a
# hyphen, slash, stop, colon, & or @, which join words and codes or stand for a letter (the channel's)
_GARBLED_MIDDLE = regex.compile(r"^(\p{L})\p{L}?[^\p{L}\p{N}\s/.,:;&@-]{1,3}\p{L}?(\p{L}{1,2})$")
GARBLE_SPAN = -9.0  # channel cost of a syllable read across symbols inside a token (`_around_garble`), as an unseen edit
GARBLE_WORDS = 8  # the commonest syllables that fit a token's letters around its symbols, looked at
MAX_CANDIDATES = 24  # per token, best first (12 left out `theo dõi` for `theo doi`: rare word, strong context)
STRAY_DASH = 6.0  # on a page read with its marks, a dash between two words this much likelier (log odds) with a space between is a speck
ABBREVIATION_SETTLED = 3  # an abbreviation the document writes this often settles its spelling (TTHC, PAKN)
_CAPITALS = regex.compile(r"^\p{Lu}{4,}$")
# share of a document's words with letters of Vietnamese outside Latin-1 (BEYOND_LATIN_1) from which it was read with
# Vietnamese: an OCR without it reads none (Tesseract `eng` read none in the 60,000 words of the held-out renders nor
# in the garbled sample)
VIETNAMESE_READ = 0.1


def _estimate_words(tokens: list[str], lexicon: Lexicon) -> list[str]:
    """The words, in small letters, that tell how a document's OCR treats marks: tokens of letters (the
    punctuation after them aside: Lưu:, VT,), and words in capitals only where they read as a syllable (XÃ, LONG),
    since an abbreviation or a code in capitals (UBND, KHTC) tells nothing about marks. A word opening with a
    bracket or a quote is left out: there text cites foreign terms and names, (World cup), (Euro)."""
    words = []
    for token in tokens:
        core = token.rstrip(_ESTIMATE_PUNCT)
        if len(core) > 1 and _LETTERS.match(core) and (not core.isupper() or fold(core.lower()) in lexicon.by_fold):
            words.append(core.lower())
    return words


@dataclass(frozen=True)
class Params:
    """How this document's OCR treats marks, estimated from the document itself."""

    p_drop: float  # a mark of the truth is missing in what we read
    p_change: float  # a mark is misread as another
    p_garble: float  # a token's letters are mangled
    vietnamese_read: bool = False  # letters of Vietnamese outside Latin-1 were read (ư, ơ, ă, đ, ạ, ả): not by an OCR without it

    @classmethod
    def estimate(cls, tokens: list[str], lexicon: Lexicon) -> Params:
        """Rates from the document's words, smoothed towards a half-marked, lightly garbled prior
        so that a few words (a heading, a short `vnocr repair` input) still get usable rates."""
        words = _estimate_words(tokens, lexicon)
        prior_n = 3
        marked = (sum(1 for w in words if not w.isascii()) + prior_n * 0.7) / (len(words) + prior_n)
        unknown = (sum(1 for w in words if not lexicon.knows(w) and fold(w) not in lexicon.by_fold) + prior_n * PRIOR_UNKNOWN) / (len(words) + prior_n)
        p_drop = min(0.97, max(0.003, 1 - marked / EXPECTED_MARK_RATE))
        p_change = min(0.4, max(0.004, 1.5 * unknown))
        p_garble = min(0.5, max(0.003, unknown))
        vietnamese = sum(1 for w in words if not BEYOND_LATIN_1.isdisjoint(w))
        return cls(round(p_drop, 3), round(p_change, 3), round(p_garble, 3), vietnamese >= max(1, VIETNAMESE_READ * len(words)))

    @property
    def mode(self) -> str:
        """eng: marks stripped and letters mangled (an OCR without Vietnamese); folded: marks
        stripped only; vie: marks present, now and then wrong (Vietnamese OCR, or clean text)."""
        if self.p_garble >= GARBLED and not self.vietnamese_read:
            return "eng"
        return "folded" if self.p_drop >= 0.5 else "vie"


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str  # lower case, as in the inventory
    symbol: int
    channel: float


@dataclass(frozen=True, slots=True)
class Choices:
    """A slot's candidates as the decoder reads them."""

    syms: tuple[int, ...]  # each candidate's symbol, <unk> for a reading the model does not know
    bases: tuple[float, ...]  # each candidate's channel score, UNKNOWN_LM added for an unknown one
    distinct: bool  # no two candidates share a symbol
    known_key: int  # the shape part of the key of a row over the candidates, with -1 (no score) for unknown ones
    syms_key: int  # the same over `syms`

    @classmethod
    def of(cls, candidates: list[Candidate], unk: int, shape: Callable[[tuple[int, ...]], int]) -> Choices:
        """The candidates read once; `shape` numbers their symbols (as keys of rows)."""
        known = tuple([c.symbol for c in candidates])  # tuples of lists: quicker than of generators
        syms = tuple([c if c >= 0 else unk for c in known])
        bases = tuple([c.channel + (UNKNOWN_LM if c.symbol < 0 else 0.0) for c in candidates])
        return cls(syms, bases, len(set(syms)) == len(syms), shape(known) << SHAPE_AT, shape(syms) << SHAPE_AT)


class Shapes:
    """The symbols of rows' candidates (`Choices`), each tuple kept once in one flat array and numbered by where it
    starts there (SHAPE_AT), so that `Repairer._score_rows` gathers a batch of rows in a few array operations."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[int, ...], int] = {}
        self.symbols = np.zeros(1 << 14, np.int64)
        self.sizes = np.zeros(1 << 14, np.int64)  # at each tuple's start, its length
        self.used = 0

    def number(self, symbols: tuple[int, ...]) -> int:
        found = self.numbers.get(symbols)
        if found is None:
            found = self.numbers[symbols] = self.used
            end = self.used + len(symbols)
            if end > len(self.symbols):
                grown = max(end, 2 * len(self.symbols))
                self.symbols = np.resize(self.symbols, grown)
                self.sizes = np.resize(self.sizes, grown)
            self.symbols[found:end] = symbols
            self.sizes[found] = len(symbols)
            self.used = end
        return found

    def gathered(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The symbols of the tuples `numbers`, one after the other, and each tuple's length."""
        sizes = self.sizes[numbers]
        ends = np.cumsum(sizes)
        return self.symbols[np.repeat(numbers - ends + sizes, sizes) + np.arange(ends[-1])], sizes

    def clear(self) -> None:
        self.numbers.clear()
        self.used = 0


@dataclass(slots=True)
class Slot:
    piece: Piece
    candidates: list[Candidate]
    chosen: int = 0
    initial: bool = True  # starts a sentence
    lone_caps: bool = False  # two capitals among words that are not in capitals (TO for Tổ)
    among_caps: bool = False  # a capital and small letters among words in capitals (Uy for ỦY in ỦY BAN)
    conf: float = 1.0
    ranked: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _marks(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return ("đ" if ch in "đĐ" else "") + "".join(c for c in decomposed if unicodedata.combining(c))


def mark_channel(observed: str, truth: str, p: Params) -> float:
    """log P(observed | truth) for two spellings of the same letters (same fold)."""
    keep = math.log(max(1e-6, 1 - p.p_drop - p.p_change))
    drop, change, insert = math.log(p.p_drop), math.log(p.p_change), math.log(p.p_change / 3)
    score = 0.0
    for o, t in zip(observed, truth):
        if o == t:
            if _marks(t):
                score += keep
            continue
        mo, mt = _marks(o), _marks(t)
        if not mo:
            score += drop
        elif not mt:
            score += insert
        else:
            score += change
    return score


class Repairer:
    """Loaded once (dictionaries, channel), then repairs any number of token sequences."""

    def __init__(self, lexicon: Lexicon | None = None, tone_style: str = "old", calibration: Calibration | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.calibration = calibration or Calibration.load()
        self.lm = self.lexicon.lm
        self.tone_style = tone_style
        self.channels = {mode: channel_model.load(mode) for mode in ("eng", "vie")}
        self.cased = {a.lower(): a for a in sorted(self.lexicon.abbreviations) if not a.isupper()}  # vneid: VNeID
        self.choices: dict[int, tuple[list[Candidate], Choices]] = {}  # by id: see `_choices` (the list is kept, its id stays its own)
        self.lm_rows: dict[int, tuple[float, ...]] = {}  # see `_remembered` (tuples of floats: the garbage collector leaves them be)
        self.shapes = Shapes()  # the symbols of a row, numbered (SHAPE_AT)

    # candidates -------------------------------------------------------------
    def candidates(self, observed: str, params: Params, initial: bool = True, doubted: bool = False) -> list[Candidate]:
        """Readings of `observed`; inside a sentence a title-case token prefers title-case words (names), and where
        marks are lost a word in capitals is also read as the names its letters spell. `doubted`: Tesseract
        doubted the word (DOUBTED_READ), so a rare word it read may be a common one misread."""
        found = self._candidates(observed, params, doubted)
        if params.mode != "vie" and len(observed) > 1 and observed.isupper() and not is_title(observed):  # marks lost: TAY GIANG may be a name
            names = ((c, self._name_symbol(c.text)) for c in found)
            return found + [Candidate(c.text, sym, c.channel) for c, sym in names if sym is not None]
        if initial or not is_title(observed):
            return found
        titled = []
        for cand in found:
            sym = self._name_symbol(cand.text)
            if sym is not None:
                titled.append(Candidate(cand.text.lower(), sym, cand.channel))
            titled.append(Candidate(cand.text, cand.symbol, cand.channel + TITLE_AS_LOWER))
        return titled

    def _name_symbol(self, word: str) -> int | None:
        """The model's symbol of `word` written as a name (title case: Đà, Nẵng), if it has one."""
        return self.lm.ids.get(word[:1].upper() + word[1:])

    @lru_cache(maxsize=100_000)  # noqa: B019 - one Repairer per process, bounded cache
    def _candidates(self, observed: str, params: Params, doubted: bool = False) -> list[Candidate]:
        low = observed.lower() if params.mode == "eng" else normalize_tone_placement(observed.lower())  # uỷ: ủy
        lm = self.lm
        letters = bool(_LETTERS.match(low))
        mode = params.mode
        found: dict[str, float] = {}
        if mode == "folded":
            if letters:
                for word in self.lexicon.by_fold.get(fold(low), ()):
                    found[word] = mark_channel(low, word, params)
            if not found or max(lm.uni[lm.ids[w]] for w in found) < RARE_WORD:  # pang: a rare word, or Đảng garbled?
                for word, score in self.channels["eng"].reach(low, self.lexicon).items():
                    if self._within_reach(word, score, observed):
                        found[word] = max(found.get(word, -math.inf), math.log(params.p_garble) + score)
        else:
            channel = self.channels[mode]
            if letters:
                for word in self.lexicon.by_fold.get(fold(low), ()):
                    found[word] = -channel.cost(word, low)
            if mode == "eng" or not found or not self.lexicon.knows(low) or (doubted and len(low) > 1 and self._rare(low, RARE_READ)):
                for word, score in channel.reach(low, self.lexicon).items():
                    if score > found.get(word, -math.inf) and self._within_reach(word, score, observed):
                        found[word] = score
        if not found and mode != "vie":  # Cc“)ng: no word near it through the channel
            found = dict.fromkeys(self._around_garble(low), GARBLE_SPAN)
        result = [Candidate(w, lm.id(w), s) for w, s in found.items()]
        if low not in found:
            known = lm.ids.get(low)
            if mode != "folded":
                keep = KEEP_UNKNOWN[mode][0 if letters else 1] if found else 0.0
            elif known is not None:
                keep = math.log(1 - params.p_garble)
            elif found and letters:  # unknown, though known words read the same without marks
                keep = math.log(max(1 - params.p_drop, params.p_garble))
            elif found:  # digits or symbols among letters: a code (m2, F0) unless the OCR garbles
                keep = math.log(1 - params.p_garble)
            else:
                keep = 0.0
            if found and _looks_garbled(low, mode, self.lexicon):
                keep += KEEP_GARBLED
            elif found and mode == "vie" and known is None and _mismarked(low, self.lexicon):
                keep += KEEP_MISMARKED
            result.append(Candidate(low, -1 if known is None else known, keep))
        def prior(c: Candidate) -> float:
            return c.channel + (lm.uni[c.symbol] if c.symbol >= 0 else UNKNOWN_LM)

        result.sort(key=prior, reverse=True)
        floor = prior(result[0]) - RARE_GAP
        return [c for c in result[:MAX_CANDIDATES] if prior(c) >= floor or c.text == low]

    def _around_garble(self, low: str) -> list[str]:
        """Where symbols stand inside a token between letters (`cc“)ng`, its ô read as a quote and a bracket), the
        commonest syllables that open with its first letter, close with its last letters and are no longer than it:
        công, cũng, cùng... for the context to choose among."""
        m = _GARBLED_MIDDLE.match(low)
        if m is None:
            return []
        first, last = fold(m.group(1)), fold(m.group(2))
        fits = [
            words[0] for key, words in self.lexicon.by_fold.items()
            if key.startswith(first) and key.endswith(last) and len(first) + len(last) < len(key) <= len(low)
        ]
        uni, ids = self.lm.uni, self.lm.ids
        return sorted(fits, key=lambda w: -uni[ids[w]])[:GARBLE_WORDS]

    def _within_reach(self, word: str, channel: float, observed: str) -> bool:
        """May the OCR have read `word` as `observed`? A word that is no syllable (internet, gpp) only through the
        confusions the OCR makes (FOREIGN_REACH), or as the abbreviation read in capitals: one letter changed at
        random turns a foreign word into another (app: gpp, spp), but CPS is CĐS."""
        return (
            -channel < FOREIGN_REACH
            or word in self.lexicon.syllables
            or (observed.isupper() and word.upper() in self.lexicon.abbreviations)
        )

    # decoding ---------------------------------------------------------------
    def _slots(self, tokens: list[str], params: Params, ocr_confs: list[float] | None = None) -> list[list[Slot]]:
        out = []
        initial = True
        for index, token in enumerate(tokens):
            code_follows = index + 1 < len(tokens) and tokens[index + 1].startswith("/")
            if index and tokens[index - 1].endswith(("/", "-")) and _BROKEN_CODE.search(tokens[index - 1]):  # 1169/QĐ- | TTg: the rest of a code cut at a line end
                out.append([Slot(Piece(token, "keep"), [Candidate(token, self.lm.id(CODE), 0.0)])])
                initial = False
                continue
            if _NO_PRINT.match(token):  # left out of the decoding, dropped
                piece, candidates, _ = _gap_reading(True)
                out.append([Slot(piece, candidates)])
                continue
            in_name = index > 0 and self._names_next(tokens[index - 1].strip(_NAME_PUNCT))
            before_name = (  # Cô | Hương: asked only of a title, so that other tokens share `_readings`' cache
                token.strip(_NAME_PUNCT).lower() in _HONORIFICS and index + 1 < len(tokens) and self._name_part(tokens[index + 1].strip(_NAME_PUNCT))
            )
            # only where marks are read does a doubt change the readings (`_candidates`); elsewhere it would only
            # cache the same token twice, but for an abbreviation in a heading whose letters spell a word (`_caps_word`)
            doubted = (
                params.mode == "vie" and ocr_confs is not None and ocr_confs[index] < DOUBTED_READ
                or params.mode != "vie" and self._caps_word(tokens, index)
            )
            readings, initial_after = self._readings(token, params, initial, code_follows, in_name, doubted, before_name)
            out.append([Slot(piece, candidates, initial=first) for piece, candidates, first in readings])
            initial = initial_after
        return out

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Repairer per process, bounded cache
    def _readings(
        self, token: str, params: Params, initial: bool, code_follows: bool, in_name: bool, doubted: bool = False,
        before_name: bool = False,
    ) -> tuple[tuple[tuple[Piece, list[Candidate], bool], ...], bool]:
        """A token's pieces with their candidate readings (cached: tokens repeat), and whether a sentence starts after it.
        `in_name`: the token follows a capitalised surname, middle or given name, as the parts of a personal name do;
        `doubted`: Tesseract doubted it (`candidates`; an abbreviation is then read as words too); `before_name`: it is a
        title (Ông, Bà, Cô), a capitalised part of a name after it."""
        lm = self.lm
        glued = _ABBREVIATION_GLUED.match(token)
        if glued and glued.group(1) in self.lexicon.abbreviations and fold(glued.group(2).lower()) in self.lexicon.by_fold:
            first, _ = self._readings(glued.group(1), params, initial, False, in_name, doubted)
            rest, after = self._readings(token[glued.end(1):], params, False, code_follows, False, doubted)
            return (*first, _gap_reading(False), *rest), after
        readings = []
        if params.mode == "eng":
            token = _HORN.sub(lambda m: m.group(1).translate(_HORNED), token)
            if not initial and token.strip(_ESTIMATE_PUNCT).lower() not in lm.ids:
                token = _I_FOR_L.sub(r"\1l", token)
        enumerator = params.mode != "eng" and _ENUMERATOR.match(token)
        for piece in unglue(token) if params.mode == "eng" else part_specked(token):
            if params.mode != "vie" and piece.text in self.lexicon.abbreviation_unmarked:  # GD&DT: GD&ĐT, read without its mark
                piece = Piece(self.lexicon.abbreviation_unmarked[piece.text], piece.kind)
            text = piece.text
            if piece.kind == GAP:  # no word: left out of the decoding (`repair_paragraphs`), a space in the text
                readings.append((piece, [Candidate(text, -1, 0.0)], initial))
                continue
            # mixed case is a name (VNeID, eGov) unless it reads as a syllable (HiNH); where marks are
            # mangled (eng) it is mostly the OCR's noise (CHfJ), so only a known name is kept there
            name_like = _MIXED_CASE.search(text) and fold(text.lower()) not in self.lexicon.by_fold
            if params.mode == "eng":
                name_like = name_like and text.lower() in lm.ids
            # an abbreviation Tesseract doubted may be a word misread (`VĂN HÓA - TH THẢO`: THỂ THAO); the context chooses
            abbreviation = text in self.lexicon.abbreviations and not doubted
            # a name read with its marks stays the name it is (Hường is not Hương, Hưởng), wherever marks are read;
            # a word no name is made of that Tesseract doubted may be another name's word (`Nguyễn Quác Việt`, a 1-bit
            # scan's Quốc), not a common word (Nậm Xé is no Nậm Xe)
            name_read = in_name and params.mode != "eng" and not initial and is_title(text) and not text.isascii() and is_syllable(text)
            name_like = name_like or (name_read and (not doubted or text.lower() in self.lexicon.name_parts))
            # and so does the title before a name, even where a sentence opens (`1. Cô Hương gửi...` is not Cổ)
            name_like = name_like or (before_name and params.mode != "eng" and is_title(text))
            if piece.kind == "word" and not (name_like or abbreviation or enumerator or _ROMAN.match(text) or _UNIT.match(text) or (_NOT_GARBLE.search(text) and not _GARBLED_MIDDLE.match(text))):
                glued = self._glued_syllables(text, params) if params.mode == "eng" else _glued_marked(text, self.lm.ids, self.lm.uni)
                for k, part in enumerate(glued):  # NHANDAN, Noinh@n: two syllables read without the space between
                    if k:
                        readings.append(_gap_reading(initial))
                    readings.append((Piece(part, "word"), self.candidates(part, params, initial and not k), initial and not k))
                if not glued:
                    candidates = self.candidates(text, params, initial, doubted)
                    if name_read:
                        candidates = [c for c in candidates if c.text == text.lower() or c.text in self.lexicon.name_parts]
                    readings.append((piece, candidates, initial))
            elif params.mode == "eng" and _LETTER_LIKE.match(text):  # `6` for `ở`, `14` for `là`: a number unless context says no
                others = [c for c in self.candidates(text, params, initial) if c.text != text.lower() and c.symbol >= 0]
                own = [Candidate(text, lm.id(lm_symbol(piece, initial)), KEEP_NUMBER)] if text.isdigit() or text == "&" or not others else []
                readings.append((Piece(text, "word"), [*own, *others], initial))  # a lone @ or § is no word: a letter; & may be `và`
            elif params.mode in ("eng", "folded") and piece.kind == "keep" and classify(text) == CODE:  # 12/QD-UBND: QĐ
                readings.append((Piece(self.channels["eng"].code(text, self.lexicon), "keep"), [Candidate(text, lm.id(CODE), 0.0)], initial))
            else:
                kept = Piece(text.translate(_ROMAN_READ) if _ROMAN.match(text) else text, "keep") if piece.kind == "word" else piece
                symbol = CODE if code_follows and kept.kind == "keep" and text.isdigit() else lm_symbol(piece, initial)
                readings.append((kept, [Candidate(text, lm.id(symbol), 0.0)], initial))
            initial = text in SENTENCE_END
        return tuple(readings), initial

    def _caps_word(self, tokens: list[str], index: int) -> bool:
        """Where marks are lost, an abbreviation whose letters spell a marked syllable, among words in capitals, is
        doubted (read as words too, the context choosing): `TP DA NANG` is ĐÀ NẴNG; among small letters it is the
        abbreviation (`Ban quản lý DA`, `phối hợp với CA huyện`)."""
        token = tokens[index].strip(EDGE_PUNCTUATION)
        low = token.lower()
        if token not in self.lexicon.abbreviations or not is_syllable(low) or all(w == low for w in self.lexicon.by_fold.get(low, ())):
            return False
        near = [tokens[j].strip(EDGE_PUNCTUATION) for j in (index - 1, index + 1) if 0 <= j < len(tokens)]
        return bool(near) and all(len(w) > 1 and w.isalpha() and w.isupper() for w in near)

    def _names_next(self, word: str) -> bool:
        """Does a name follow `word`, capitalised: a part of a person's name or a title (Văn | Hường, Ông | Hường),
        or a word too rare to be a common one (Nậm | Xé); not a common word heading an office's name (Cục | Thuế)."""
        return self._name_part(word) or (is_title(word) and (word.lower() in _HONORIFICS or self._rare(word, NAME_WORD)))

    def _name_part(self, word: str) -> bool:
        """Is `word` a capitalised part of a personal name (Hương, Lan, Nguyễn)?"""
        return is_title(word) and word.lower() in self.lexicon.name_parts

    def _rare(self, word: str, floor: float) -> bool:
        """No word, or a word rarer than `floor` (log P)."""
        symbol = self.lm.ids.get(word.lower())
        return symbol is None or self.lm.uni[symbol] < floor

    def _glued_syllables(self, text: str, params: Params) -> tuple[str, ...]:
        """`text` parted into the two syllables it reads as once its OCR symbols are read as letters (Noinh@n: Noi,
        nh@n), where no single word is within an edit or so of it (GLUED_CHANNEL) and it is no word the model
        knows; of several ways, the one of the most frequent syllables. () where there is none."""
        low = text.lower()
        if len(low) < 5 or low in self.lm.ids or any(c.symbol >= 0 and c.channel > GLUED_CHANNEL for c in self.candidates(text, params)):
            return ()
        letters = self.channels["eng"].unmarked(low)
        ways = [(self._bond(letters[:i], letters[i:]), i) for i in range(2, len(letters) - 1)]
        bond, i = max(ways, default=(-math.inf, 0))
        return (text[:i], text[i:]) if bond >= GLUED_BOND else ()

    def _bond(self, first: str, second: str) -> float:
        """How much likelier the language model finds a syllable spelt `second` (marks removed) after one spelt
        `first` than alone (log odds): strong for nơi nhận, nhân dân, chủ tịch; -inf where either is none."""
        words = [[w for w in self.lexicon.by_fold.get(part, ())[:GLUED_READINGS] if w in self.lexicon.syllables] for part in (first, second)]
        pairs = [(self.lm.ids[a], self.lm.ids[b]) for a in words[0] for b in words[1]]
        if not pairs:
            return -math.inf
        unk = self.lm.unk
        scores = self.lm.scores([(((unk << BITS) | a) << BITS) | b for a, b in pairs])
        return max(score - self.lm.uni[b] for score, (_, b) in zip(scores, pairs))

    def decode(self, slots: list[Slot], trust_read: bool) -> None:
        """Beam search (trigram states) over the slots; sets `chosen`, `conf` and `ranked` on each.
        `trust_read`: marks were read (Tesseract `vie`, clean text), so an unsure change is not made."""
        self._decode_together([slots], trust_read)

    def _decode_together(self, paragraphs: list[list[Slot]], trust_read: bool) -> None:
        """`decode` for several paragraphs side by side: at each step, the rows of trigrams all of them lack are
        scored in one batch (a document's paragraphs share the cost of a look-up)."""
        if len(self.lm_rows) > ROWS_LIMIT:  # between documents: no decoding holds a row or a choice now
            self.lm_rows.clear()
            self.choices.clear()
            self.shapes.clear()
        waiting = [(run, keys) for run in (self._decoding(slots, trust_read) for slots in paragraphs) if (keys := _advance(run)) is not None]
        while waiting:
            self._score_rows([k for _, keys in waiting for k in keys])
            waiting = [(run, keys) for run, _ in waiting if (keys := _advance(run)) is not None]

    def _decoding(self, slots: list[Slot], trust_read: bool) -> Scoring:
        if not slots:
            return
        history = yield from self._beam(slots)
        state = max(history[-1], key=lambda s: history[-1][s][2])
        for slot, back in zip(reversed(slots), reversed(history)):
            state, slot.chosen, _ = back[state]
        yield from self._posteriors(slots, trust_read)

    def _choices(self, candidates: list[Candidate]) -> Choices:
        """`Choices.of` the list, remembered while the list is (lists of candidates are cached, tokens repeat)."""
        seen = self.choices.get(id(candidates))
        if seen is None:
            seen = self.choices[id(candidates)] = (candidates, Choices.of(candidates, self.lm.unk, self.shapes.number))
        return seen[1]

    @lru_cache(maxsize=100_000)  # noqa: B019 - one Repairer per process, bounded cache
    def _plain(self, symbol: int) -> int:
        """The symbol of a word in small letters (`Thuế` -> `thuế`; itself when the model has no such word)."""
        if symbol < 0:
            return symbol
        return self.lm.ids.get(self.lm.words[symbol].lower(), symbol)

    def _remembered(self, keys: list[int]) -> list[tuple[float, ...] | None]:
        """Rows of trigram log probabilities, one per key (SHIFT_AT): for each symbol c of the row's shape, the
        trigram `prefix | c << shift` (0.0 for an unknown candidate, -1); None where a row is not remembered
        yet (`_score_rows`). Rows are remembered for the whole process (they depend on the model only)."""
        rows = self.lm_rows
        return [rows.get(key) for key in keys]

    def _score_rows(self, keys: list[int]) -> None:
        """The rows of `keys` scored in one batch (a row two decodings lack, once) and remembered: each symbol of a
        row's shape, in its place, put in with the other two (`prefix`); 0.0 for an unknown one (-1)."""
        keys = list(dict.fromkeys(keys))
        symbols, sizes = self.shapes.gathered(np.array([key >> SHAPE_AT for key in keys], np.int64))
        prefixes = np.array([key & PREFIX for key in keys], np.int64)
        shifts = np.array([(key >> SHIFT_AT & 3) * BITS for key in keys], np.int64)
        values = self.lm.scores(np.repeat(prefixes, sizes) | (np.maximum(symbols, 0) << np.repeat(shifts, sizes)))
        for at in np.flatnonzero(symbols < 0).tolist():
            values[at] = 0.0
        values = tuple(values)
        rows = self.lm_rows
        at = 0
        for key, size in zip(keys, sizes.tolist()):
            rows[key] = values[at : at + size]
            at += size

    def _beam(self, slots: list[Slot]) -> Scoring:
        """The beam search proper; per slot, next state -> (previous state, candidate, score) for the
        states kept. A state is the last two symbols; reaching the same state twice keeps the better
        score (the first of equals, states taken in order, then candidates)."""
        opening = self._history(slots)
        beams: dict[tuple[int, int], float] = {(opening, opening): 0.0}
        history: list[dict[tuple[int, int], tuple[tuple[int, int], int, float]]] = []
        for slot in slots:
            choices = self._choices(slot.candidates)
            syms, bases = choices.syms, choices.bases
            each = range(len(syms)) if choices.distinct else None
            states = list(beams)
            keys = [(((a << BITS) | b) << BITS) | choices.known_key for a, b in states]
            rows = self._remembered(keys)
            if None in rows:  # asked for (the decoding's caller scores them: `_score_rows`), then looked up again
                yield _lacking(keys, rows)
                rows = self._remembered(keys)
            groups: dict[int, tuple[list[float], list[int]]] = {}  # b -> per candidate: best score, from which state
            for k, ((_, b), score, row) in enumerate(zip(states, beams.values(), rows)):
                scores = [score + base + v for base, v in zip(bases, row)]
                group = groups.get(b)
                if group is None:
                    groups[b] = (scores, [k] * len(scores))
                    continue
                best, origin = group
                for j, s in enumerate(scores):
                    if s > best[j]:
                        best[j], origin[j] = s, k
            tops = [max(best) for best, _ in groups.values()]
            floor = max(tops) - (BEAM_DELTA if len(history) > 1 else BEAM_DELTA_START)
            kept = [
                ((b, syms[j]), (states[origin[j]], j, best[j]))
                for (b, (best, origin)), top in zip(groups.items(), tops)
                if top >= floor  # a group none of whose candidates reaches the floor is passed over whole
                for j in (each or _distinct(syms, best, origin))
                if best[j] >= floor
            ]
            width = BEAM if len(history) > 1 else BEAM_START
            if len(kept) > width:
                kept = sorted(kept, key=lambda kv: -kv[1][2])[:width]
            beams = {state: back[2] for state, back in kept}
            history.append(dict(kept))
        return history

    def _history(self, slots: list[Slot]) -> int:
        """What a paragraph opens after: a sentence's start, unless it opens on a word in small letters, which no
        sentence does: a line cut inside a sentence (`động nghiên cứu`, the end of `hoạt động`), whose history the
        text does not show (`LanguageModel.unseen`). Its first word is then scored by how common it is, not by how
        often sentences open with it (`Đồng thời`, `Thực hiện`, `Qua`, `Từ`)."""
        first = slots[0].piece
        return self.lm.unseen if first.kind == "word" and first.text[:1].islower() else self.lm.sent

    def _posteriors(self, slots: list[Slot], trust_read: bool) -> Scoring:
        """Each slot's candidates rescored with the chosen neighbours fixed: confidence and ranking.
        The trigrams of all slots are scored in one batch."""
        unk, opening = self.lm.unk, self._history(slots)
        chosen = [s.candidates[s.chosen] for s in slots]
        syms = [opening, opening] + [c.symbol if c.symbol >= 0 else unk for c in chosen]
        known = [c.symbol >= 0 for c in chosen]
        n = len(slots)
        todo: list[tuple[Slot, list[float], int]] = []  # slot, scores before the LM, how many rows to add
        specs: list[int] = []
        for i, slot in enumerate(slots):
            if len(slot.candidates) == 1:
                slot.ranked = []
                continue
            choices = self._choices(slot.candidates)
            scores = list(choices.bases)
            specs.append((((syms[i] << BITS) | syms[i + 1]) << BITS) | choices.known_key)  # the two words before
            if i + 1 < n:  # the trigrams that end on the next word, and on the one after, where known
                if known[i + 1]:
                    specs.append((syms[i + 1] << 2 * BITS) | syms[i + 3] | 1 << SHIFT_AT | choices.syms_key)
                else:
                    scores = [s + UNKNOWN_LM for s in scores]
                if i + 2 < n:
                    if known[i + 2]:
                        specs.append((syms[i + 3] << BITS) | syms[i + 4] | 2 << SHIFT_AT | choices.syms_key)
                    else:
                        scores = [s + UNKNOWN_LM for s in scores]
            todo.append((slot, scores, len(specs)))
        found = self._remembered(specs)
        if None in found:
            yield _lacking(specs, found)
            found = self._remembered(specs)
        rows = iter(found)
        done = 0
        for slot, scores, upto in todo:
            for _ in range(upto - done):
                scores = list(map(add, scores, next(rows)))
            done = upto
            _rank(slot, scores, trust_read)

    def _written_as_read(self, original: str) -> bool:
        """`_as_written`'s common case, without its cache's look-up: a word read in small letters, its tone placed as
        the lexicon places it, is written as its reading."""
        return original.islower() and self.tone_style == "old" and not _placed_new(original)

    def _surface(self, slot: Slot, text: str, label: bool = False) -> str:
        """`text` written as `slot` was read (its case, the placement of its tone); `label`: a colon follows it."""
        if slot.piece.kind != "word":
            return slot.piece.text
        original = slot.piece.text
        if self._written_as_read(original):
            return text
        if not slot.initial and original[:1] in "IJ" and text[:1] == "l":  # Ii, I¢i, Idp: the OCR's capital for a small l
            original = "l" + original[1:]
        if original[:1] == "$" and text[:1] == "s" and (slot.initial or label or text == "sở"):  # the OCR's $ for a capital S:
            original = "S" + original[1:]  # $6: (Số:), $6 Tu phap (Sở Tư pháp); inside a sentence `chuyển đổi $6,` is số
        return _as_written(original, text, slot.lone_caps, slot.among_caps, slot.initial, self.tone_style, self.cased.get(text))

    def _surfaces(self, slots: list[Slot], words: list[Slot]) -> tuple[str, list[str]]:
        """A token's text as written (its slots' readings put back into its case and punctuation), and
        its alternatives where it has one word."""
        labels = [i + 1 < len(slots) and slots[i + 1].piece.text.startswith(":") for i in range(len(slots))]

        def written(alt: str | None = None, at: Slot | None = None) -> str:
            return "".join(self._surface(s, alt if s is at else s.candidates[s.chosen].text, label) for s, label in zip(slots, labels))

        text = written()
        if len(words) != 1:
            return text, []
        return text, [written(alt, words[0]) for alt in words[0].ranked]

    def repair_tokens(self, tokens: list[str], params: Params | None = None, ocr_confs: list[float] | None = None) -> list[TokenRepair]:
        """Repair a paragraph given as whitespace tokens (with Tesseract's confidence in each, when they
        were read from an image); one result per token."""
        return self.repair_paragraphs([tokens], params, None if ocr_confs is None else [ocr_confs])[0]

    def repair_paragraphs(
        self, paragraphs: list[list[str]], params: Params | None = None, ocr_confs: list[list[float] | None] | None = None
    ) -> list[list[TokenRepair]]:
        """Repair the paragraphs of one document, then once more those where a reading the decoder was
        unsure of has a rival the document settles on elsewhere (`DocumentCache`)."""
        with _collector_paused():  # the decoder's slots are let go before the collector runs again: it need not visit them
            return self._repaired(paragraphs, params, ocr_confs)

    def _repaired(
        self, paragraphs: list[list[str]], params: Params | None, ocr_confs: list[list[float] | None] | None
    ) -> list[list[TokenRepair]]:
        paragraphs = [[nfc(t) for t in tokens] for tokens in paragraphs]
        params = params or Params.estimate([t for tokens in paragraphs for t in tokens], self.lexicon)
        settled = _settled_abbreviations(paragraphs, self.lexicon)
        as_read = [[settled.get(t, t) for t in tokens] for tokens in paragraphs]
        decoded = [
            self._slots(marks_read_as_questions(tokens) if params.mode == "eng" else tokens, params, None if ocr_confs is None else ocr_confs[k])
            for k, tokens in enumerate(as_read)
        ]
        flats = [[s for slots in per_token for s in slots if s.piece.kind != GAP] for per_token in decoded]
        self._decode_slots(flats, params)
        cache = DocumentCache.settled([s for flat in flats for s in flat], self._plain)
        leaning = [flat for flat in flats if cache.would_change(flat)]
        for flat in leaning:
            for slot, cands in zip(flat, cache.lean(flat)):
                slot.candidates = cands
        self._decode_slots(leaning, params)
        if params.mode == "vie" and ocr_confs is not None:
            for flat, confs in zip(flats, ocr_confs):
                if confs is not None:
                    self._drop_stray_dashes(flat)
        readings = DocumentReadings.of(s.candidates[s.chosen].text for flat in flats for s in flat if s.piece.kind == "word")
        results = [
            self._results(tokens, per_token, params, None if ocr_confs is None else ocr_confs[k], readings)
            for k, (tokens, per_token) in enumerate(zip(paragraphs, decoded))
        ]
        _number_sections([r for r in results if r])
        return results

    def _decode_slots(self, flats: list[list[Slot]], params: Params) -> None:
        self._decode_together(flats, trust_read=params.mode == "vie")
        for flat in flats:
            words = [s for s in flat if s.piece.kind == "word"]
            _mark_lone_caps(words)
            if params.mode == "eng":
                _mark_among_caps(words, self.lexicon)

    def _drop_stray_dashes(self, flat: list[Slot]) -> None:
        """A dash between two words or a word and a number, on a page whose marks were read, that the language model
        finds `STRAY_DASH` likelier written with a space between (`nhân-dân`, `quốc - phòng`, `xã Bình - Long`,
        `tháng - 11`) is a speck Tesseract read as a dash: it becomes the space. A dash the text may well hold stays
        (`kinh tế - xã hội`, `ki-ốt`, `Độc lập - Tự do`), and so does one beside a word the model does not know."""
        lm = self.lm
        dash = lm.id("-")
        found, keys = [], []
        for k in range(1, len(flat) - 1):
            after = flat[k + 1]
            if flat[k].piece.text != "-" or flat[k - 1].piece.kind != "word" or not (after.piece.kind == "word" or after.piece.text.isdigit()):
                continue
            before = flat[k - 2].candidates[flat[k - 2].chosen].symbol if k > 1 else self._history(flat)
            first = flat[k - 1].candidates[flat[k - 1].chosen].symbol
            second = after.candidates[after.chosen]  # read as a sentence's start, after the dash
            inside = lm.id(second.text[:1].upper() + second.text[1:]) if is_title(after.piece.text) else second.symbol  # a name inside a sentence
            if min(before, first, second.symbol) < 0 or lm.unk in (first, inside):
                continue
            found.append(k)
            keys += [pack((before, first, inside)), pack((before, first, dash)), pack((first, dash, second.symbol))]
        scores = lm.scores(keys) if keys else []
        for j, k in enumerate(found):
            spaced, dashed, after_dash = scores[3 * j : 3 * j + 3]
            if spaced - (dashed + after_dash) >= STRAY_DASH:
                flat[k].piece = Piece(" ", GAP)

    def _results(self, tokens: list[str], per_token: list[list[Slot]], params: Params, ocr_confs: list[float] | None, readings: DocumentReadings) -> list[TokenRepair]:
        results = []
        mode = params.mode
        for k, (token, slots) in enumerate(zip(tokens, per_token)):
            words = [s for s in slots if s.piece.kind == "word"]
            if len(slots) == len(words) == 1 and self._written_as_read(words[0].piece.text):  # as `_surface` would have it
                text, alternatives = words[0].candidates[words[0].chosen].text, list(words[0].ranked)
            else:
                text, alternatives = self._surfaces(slots, words)
            unknown = any(s.candidates[s.chosen].symbol < 0 and s.candidates[s.chosen].text not in self.lexicon.syllables for s in words)
            if not words:
                stray = _RULE.match(token) or not text.strip() or (ocr_confs is not None and ocr_confs[k] < SPECK_CONF and _LONE_STOP.match(token))
                results.append(TokenRepair(token, "" if stray else text, 1.0, False, alternatives))
                continue
            if _LONE_MARK.match(token) or (ocr_confs is not None and _speck(token, ocr_confs[k]) and (mode == "eng" or self._rare(text, SPECK_WORD))):
                text = ""
            weakest = words[0] if len(words) == 1 else min(words, key=lambda s: s.conf)
            pick = weakest.candidates[weakest.chosen]
            near = [j for j in (k - 1, k + 1) if 0 <= j < len(tokens)]
            evidence = Evidence(
                weakest.conf, pick.channel, text.lower() != token.lower(), not unknown,
                len(weakest.candidates), mode, None if ocr_confs is None else ocr_confs[k], odd_shape(token),
                self.lm.uni[pick.symbol] if pick.symbol >= 0 else UNKNOWN_LM, token, is_syllable(pick.text),
                min((s.conf for j in near for s in per_token[j] if s.piece.kind == "word"), default=1.0),
                None if ocr_confs is None else min((ocr_confs[j] for j in near), default=None),
                *readings.agreement(pick.text), text,
            )
            conf = self.calibration.probability(evidence)
            results.append(TokenRepair(token, text, round(conf, 3), self.calibration.flags(evidence, conf), alternatives, evidence))
        if mode == "vie":
            self._join_split(results)
        return _tidy_symbols(_tidy_commas(_tidy_numbers(results, blank_printed=mode != "eng")))

    def _join_split(self, results: list[TokenRepair]) -> None:
        """Where marks are read, a syllable Tesseract cut before its vowel (`THƯ ỜNG`, `nghi ệp`, a real page's
        bold capitals; `THƯ! ỜNG`, a stroke of the cut read as a mark): a token opening with a vowel, two letters or more,
        that is no word the model knows (rarer than RARE_READ), after a word with which it spells a common one
        (SPLIT_JOINED), is that word's end: joined to it; where the vowel at the cut was read on both sides (`TRỤ
        ỰC`), once."""
        for before, after in zip(results, results[1:]):
            head, tail = before.text.rstrip(_CUT_MARKS), after.text
            core = tail.rstrip(_SPLIT_AFTER)
            if not (head.isalpha() and core.isalpha() and len(core) >= 2 and fold(core[0]).lower() in BASE_VOWELS and self._rare(core, RARE_READ)):
                continue
            # the vowel at the cut may be read on both sides (`TRỤ ỰC`: TRỰC)
            twice = fold(head[-1]).lower() == fold(core[0]).lower()
            for kept in (head, head[:-1]) if twice else (head,):
                joined = kept + core
                if (joined.isupper() or joined.islower() or is_title(joined)) and not self._rare(joined, SPLIT_JOINED):
                    before.text, after.text = kept + tail, ""
                    before.conf, before.flag, after.flag = min(before.conf, after.conf), before.flag or after.flag, False
                    break

    def repair_lines(self, text: str) -> list[list[TokenRepair]]:
        """Each line's tokens repaired, the text decoded as one document (paragraphs: runs of non-empty lines)."""
        lines = text.split("\n")
        blocks: list[list[int]] = [[]]
        for i, line in enumerate(lines):
            if line.strip():
                blocks[-1].append(i)
            elif blocks[-1]:
                blocks.append([])
        blocks = [b for b in blocks if b]
        paragraphs = [[t for j in block for t in lines[j].split()] for block in blocks]
        params = Params.estimate([nfc(t) for t in text.split()], self.lexicon)
        out: list[list[TokenRepair]] = [[] for _ in lines]
        for block, results in zip(blocks, self.repair_paragraphs(paragraphs, params)):
            done = iter(results)
            for j in block:
                out[j] = [next(done) for _ in lines[j].split()]
        return out

    def repair_text(self, text: str) -> str:
        """Repair a whole text, keeping its line structure."""
        return "\n".join(" ".join(r.text for r in results if r.text) if results else line
                         for line, results in zip(text.split("\n"), self.repair_lines(text)))


Scoring = Generator[list[int], None, Any]  # yields the keys of the rows of trigram scores it lacks, resumed once they are remembered
# A row of trigram scores is keyed by one int: `prefix` (the trigram's other two symbols in place), where
# the candidates' symbol goes (shift / BITS, 0 to 2), and the number of the candidates' symbols (Repairer.shapes)
SHIFT_AT = 3 * BITS
SHAPE_AT = SHIFT_AT + 2
PREFIX = (1 << SHIFT_AT) - 1


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a document is repaired: the decoder makes many small
    lists and tuples and no cycles, so the collector's passes over them find nothing (they cost about
    a twentieth of repair's time); it runs again after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _lacking(keys: list[int], found: list[tuple[float, ...] | None]) -> list[int]:
    """The keys whose rows are not remembered (None in `found`, `Repairer._remembered`)."""
    return [key for key, row in zip(keys, found) if row is None]


def _advance(run: Scoring) -> list[int] | None:
    """The keys of the next rows a decoding lacks (the last ones it asked for now remembered), or None once it is done."""
    try:
        return next(run)
    except StopIteration:
        return None


def _distinct(syms: list[int], best: list[float], origin: list[int]) -> list[int]:
    """The candidates that reach distinct next states, in order; where two share a symbol (two unknown
    readings), the better one, or of equals the one the search met first (earlier state, then candidate)."""
    pick: dict[int, int] = {}
    for j, sym in enumerate(syms):
        i = pick.get(sym)
        if i is None or best[j] > best[i] or (best[j] == best[i] and origin[j] < origin[i]):
            pick[sym] = j
    return list(pick.values())


def _rank(slot: Slot, scores: list[float], trust_read: bool) -> None:
    """A slot's confidence and ranked alternatives from its candidates' scores in context."""
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    slot.conf = weights[slot.chosen] / total
    if trust_read and slot.conf < CHANGE_SURE:  # a word read with its marks stays, unless repair is sure
        read = next((k for k, c in enumerate(slot.candidates) if c.text == slot.piece.text.lower()), slot.chosen)
        slot.chosen, slot.conf = read, weights[read] / total
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)  # stable: equals keep their order
    texts = [slot.candidates[k].text for k in order]
    slot.ranked = list(dict.fromkeys(t for t in texts if t != slot.candidates[slot.chosen].text))[:5]  # a name and its common word are one text


def _glued_marked(text: str, known: dict[str, int], uni: list[float]) -> tuple[str, ...]:
    """Where marks are read: a token that is no syllable but two syllables the model knows that both carry
    marks, written without the space between (`CHỢMỚI`, `vàcác`), parted; where it parts more than one way
    (`CHƠMỚI`: chơ mới, chơm ới), the way whose words are `GLUED_WAY` commoner than any other's; () where it is no
    such pair (`Hanoi` stays). Where a cut falls inside one vowel read twice (`TRỤỰC`), the token is one syllable:
    itself without one of the two (`_read_twice`)."""
    low = text.lower()
    if len(low) < 4 or not low.isalpha() or is_syllable(low) or low in known:
        return ()
    ways = sorted(
        ((uni[known[low[:i]]] + uni[known[low[i:]]], i) for i in range(1, len(low))
         if not low[:i].isascii() and not low[i:].isascii() and low[:i] in known and low[i:] in known and is_syllable(low[:i]) and is_syllable(low[i:])),
        reverse=True,
    )
    for parted, i in ways:
        drop = _read_twice(low, i, known, uni, parted)
        if drop is not None:
            return (text[:drop] + text[drop + 1 :],)
    if not ways or (len(ways) > 1 and ways[0][0] - ways[1][0] < GLUED_WAY):
        return ()
    cut = ways[0][1]
    return text[:cut], text[cut:]


def _read_twice(low: str, cut: int, known: dict[str, int], uni: list[float], parted: float) -> int | None:
    """Where the letters either side of the cut are one vowel Tesseract read twice, once on each side of a cut
    through it (`TRỤỰC`: trực, not trụ ực), the index of the one to drop: the same vowel, marks aside, and without it
    the token is a syllable commoner than the two words the cut makes (`parted`, their log P); else None."""
    if fold(low[cut - 1]) != fold(low[cut]) or fold(low[cut]) not in BASE_VOWELS:
        return None
    once = {drop: low[:drop] + low[drop + 1 :] for drop in (cut - 1, cut)}
    score = {drop: uni[known[w]] for drop, w in once.items() if w in known and is_syllable(w)}
    best = max(score, key=score.__getitem__, default=None)
    return best if best is not None and score[best] > parted else None


@lru_cache(maxsize=100_000)
def _placed_new(word: str) -> bool:
    """Is `word` written with the new placement of its tone (hoá, thuỷ, Uỷ), not the lexicon's (hóa, thủy, Ủy)?"""
    low = word.lower()
    return normalize_tone_placement(low) != low


@lru_cache(maxsize=100_000)
def _as_written(original: str, text: str, lone_caps: bool, among_caps: bool, initial: bool, tone_style: str, cased: str | None) -> str:
    """A word's reading `text` (small letters) written as the word `original` was read: its case, its tone style.
    `lone_caps`: a two-capital word among words not in capitals (`_mark_lone_caps`); `among_caps`: a word in mixed
    case among capitals (`_mark_among_caps`); `initial`: it starts a sentence; `cased`: how the channel learnt to
    write the reading (a name: VNeID)."""
    if _placed_new(original):  # read with the new placement (hoá, Uỷ): written so, whatever its reading
        text = normalize_tone_placement(text, "new")
    elif original.islower() and tone_style == "old":
        return text  # the common case: a small word, read in small letters
    if text == original.lower() and (original.islower() or original.isupper() or is_title(original) or not is_syllable(original)):
        return original  # as read; mixed case is kept on names (VNeID, eGov), not on syllables (SaU)
    letters = [c for c in original if c.isalpha()]
    if lone_caps and text != original.lower():  # the second capital was a marked small letter
        return text[:1].upper() + text[1:]
    if among_caps and text != original.lower():  # Uy BAN: a marked capital read as a small letter
        return text.upper()
    if len(letters) > 3 and sum(c.islower() for c in letters) == 1 and letters[0].isupper() and letters[-1].isupper():
        return text.upper()  # HiNH, NGHiA: a marked capital read as a small letter in an upper-case word
    if not letters or not (original.islower() or original.isupper() or is_title(original)):
        told = cased or _told_case(original, text)  # VNelD: VNeID, the name it reads as
        if told:
            return told
        return text if not initial else text[:1].upper() + text[1:]  # SaU, cOng, 6: the OCR's case is noise
    if tone_style != "old":
        text = normalize_tone_placement(text, tone_style)
    return apply_case(text, original)


_WORD_SHAPE = regex.compile(r"^\W*(?:\p{L}{2,}|\p{Lu}|\d[\p{L}\d]*)(?:[-/]\p{L}+)?\W*$")


def _mismarked(low: str, lexicon: Lexicon) -> bool:
    """Letters of known words under marks no word has (buôi, cuỗi, nều: buổi, cuối, nếu): an OCR that reads
    marks misreads one far more often than a text uses a syllable the corpus never wrote."""
    return bool(_LETTERS.match(low)) and low != fold(low) and fold(low) in lexicon.by_fold


def _looks_garbled(low: str, mode: str, lexicon: Lexicon) -> bool:
    """No word as read: an OCR's symbol for a marked letter (k¥, sé6), a word without the marks it needs
    (ket, hien: never written so), marks on letters that are no syllable and no word the model knows
    (triểễn, tuờôi: a marked letter read twice; not thuật4, a footnote's number), or, where marks are
    mangled, anything that is no syllable (gilp, timg)."""
    if _GARBLED_SHAPE.search(low):
        return True
    return not is_syllable(low) and (mode == "eng" or low in lexicon.by_fold or (low != fold(low) and low not in lexicon.lm.ids and _LETTERS.match(low)))


@lru_cache(maxsize=100_000)
def odd_shape(token: str) -> bool:
    """What an OCR reads off noise or a broken word: a lone small letter or mark (j, ễ, ˆ), letters
    with symbols inside (¡sáng, _cải), several words run together with hyphens (trên-khung-giờ)."""
    return not _WORD_SHAPE.match(token)


def _told_case(original: str, text: str) -> str | None:
    """`text` in the case that the letters of a word read in mixed case tell, or None where they do not: an OCR
    without Vietnamese reads a small marked letter as a capital and a marked capital as a small letter, so only the
    letters read where the reading has no mark tell (HOi -> Hội, COng -> Công, PHi -> PHÍ, MuC -> MỤC); a first letter
    whose capital has the shape of its small letter tells nothing either (cAO -> CÁO, sACH -> SÁCH)."""
    if len(original) != len(text):
        return None
    telling = [o for o, t in zip(original, text) if o.isalpha() and t.isascii()]
    if len(telling) >= 2 and all(o.isupper() for o in telling[1:]) and (telling[0].isupper() or original[0] in _CASE_ALIKE):
        return text.upper()
    if original[0].isupper() and len(telling) >= 2 and all(o.islower() for o in telling[1:]) and telling[0] == original[0]:
        return text[:1].upper() + text[1:]
    return None


def _mark_lone_caps(words: list[Slot]) -> None:
    """Two-letter words in capitals (TO, BO) whose neighbours are not: an OCR reads a small marked
    vowel as a capital, so such a word, once repaired, is a capital and a small letter (Tổ, Bộ)."""
    def caps(slot: Slot | None) -> bool:
        return slot is not None and len(slot.piece.text) > 1 and slot.piece.text.isupper()

    for i, slot in enumerate(words):
        text = slot.piece.text
        if len(text) == 2 and text.isalpha() and text.isupper():
            before = words[i - 1] if i else None
            after = words[i + 1] if i + 1 < len(words) else None
            slot.lone_caps = not caps(before) and not caps(after)


def _mark_among_caps(words: list[Slot], lexicon: Lexicon) -> None:
    """Where marks are mangled, the other way round: a word of a capital and small letters before a syllable in
    capitals, after another or at the start (TM. Uy BAN): a marked capital read as a small letter, so the word,
    once repaired, is in capitals (ỦY). An abbreviation beside it tells nothing (Lưu: VT, Phòng LĐTBXH)."""
    def caps(slot: Slot | None) -> bool:
        text = slot.piece.text if slot is not None else ""
        return len(text) > 1 and text.isupper() and fold(text.lower()) in lexicon.by_fold

    for i, slot in enumerate(words):
        text = slot.piece.text
        after = words[i + 1] if i + 1 < len(words) else None
        slot.among_caps = is_title(text) and text.isalpha() and caps(after) and (i == 0 or caps(words[i - 1]))


@dataclass(frozen=True)
class DocumentCache:
    """One document, one vocabulary: beside each word, the readings the decoder was sure of
    (posterior >= CACHE_SURE), counted over the whole document, after the word (`after`) and before it
    (`before`). A reading it was less sure of (< CACHE_LEAN_BELOW) leans, by up to CACHE_WEIGHT (log odds),
    to what the document wrote beside the same words where it was sure, by each reading's share among the
    slot's own readings: truyền thanh written often does not weaken the document's truyền thông against
    truyền thống, and phường Phú Liên written often makes `phuong Phu Lien` phường after any word.
    Words are counted whatever their case (`plain`: a symbol -> that of its small letters): `Cục Thuế`
    inside a sentence settles `CỤC THUÊ` in the header."""

    after: dict[int, Counter]
    before: dict[int, Counter] = field(default_factory=dict)
    plain: Callable[[int], int] = lambda symbol: symbol

    @classmethod
    def settled(cls, slots: list[Slot], plain: Callable[[int], int]) -> DocumentCache:
        after: dict[int, Counter] = defaultdict(Counter)  # a Counter made only for a word not met yet
        before: dict[int, Counter] = defaultdict(Counter)
        chosen = [plain(s.candidates[s.chosen].symbol) for s in slots]
        for i, j in _known_pairs(slots, chosen):
            for word, neighbour, counts in ((j, i, after), (i, j, before)):
                if slots[word].conf >= CACHE_SURE and len(slots[word].candidates) > 1:
                    counts[chosen[neighbour]][chosen[word]] += 1
        settled = ({w: c for w, c in counts.items() if max(c.values()) >= CACHE_MIN} for counts in (after, before))
        return cls(*settled, plain=plain)

    def _leaning(self, slots: list[Slot]):
        """(slot, what the document settled on beside the words on either side among the slot's own readings), for
        unsure slots."""
        beside: list[list[Counter]] = [[] for _ in slots]
        chosen = [self.plain(s.candidates[s.chosen].symbol) for s in slots]
        for i, j in _known_pairs(slots, chosen):
            if (counts := self.after.get(chosen[i])) is not None:
                beside[j].append(counts)
            if (counts := self.before.get(chosen[j])) is not None:
                beside[i].append(counts)
        for slot, found in zip(slots, beside):
            rivals = None
            if found and slot.conf < CACHE_LEAN_BELOW:
                pick = slot.candidates[slot.chosen]
                letters = fold(pick.text)
                rivals = {
                    c.symbol: n
                    for c in slot.candidates
                    if c.channel >= pick.channel - (CACHE_REACH_MARKS if fold(c.text) == letters else CACHE_REACH)
                    and (n := sum(counts[plain] for counts in found if (plain := self.plain(c.symbol)) in counts)) >= CACHE_MIN
                }
            yield slot, rivals or None

    def would_change(self, slots: list[Slot]) -> bool:
        """Some unsure reading has a rival the document preferred beside the same words."""
        for slot, rivals in self._leaning(slots):
            if rivals and self.plain(max(rivals, key=rivals.__getitem__)) != self.plain(slot.candidates[slot.chosen].symbol):
                return True
        return False

    def lean(self, slots: list[Slot]) -> list[list[Candidate]]:
        out = []
        for slot, rivals in self._leaning(slots):
            if not rivals:
                out.append(slot.candidates)
                continue
            total = sum(rivals.values())
            out.append([Candidate(c.text, c.symbol, c.channel + CACHE_WEIGHT * rivals.get(c.symbol, 0) / total) for c in slot.candidates])
        return out


def _known_pairs(slots: list[Slot], chosen: list[int]) -> Iterator[tuple[int, int]]:
    """The places (i, i + 1) of neighbouring slots that are both words read as words the model knows (the symbols
    of their readings chosen: `chosen`)."""
    known = [s.piece.kind == "word" and symbol >= 0 for s, symbol in zip(slots, chosen)]
    return ((i, i + 1) for i in range(len(slots) - 1) if known[i] and known[i + 1])


@dataclass(slots=True)
class TokenRepair:
    ocr: str
    text: str
    conf: float  # calibrated: the probability that `text` is right
    flag: bool
    alternatives: list[str]
    evidence: Evidence | None = None  # what `conf` was computed from (none for numbers, codes, punctuation)


_ONE_HEADING = regex.compile(r"^1\.(?= |$)")  # a paragraph opened by `1.`
_CAPITALS_WORD = regex.compile(r"^\p{Lu}{2,}[,.:]?$")  # a heading's word in capitals (MỤC, NỘI)
_SECTION = regex.compile(r"^([IVX][IVXv]*)\.(?= |$)")  # a section's number at a paragraph's start: I., II., Iv., I. MỤC (read I.MỤC)
SECTION_GAP = 1.5  # cost of a section heading the OCR lost, against 1 for a stroke of its number lost or added
SECTION_RESTART = 2.0  # cost of a new list of sections (an appendix's I.) where the numbers go down
SECTIONS_MAX = 40  # the section numbers looked at: I to XXXIX


def _section_sequence(read: list[str]) -> list[int]:
    """The numbers of a document's sections, as read in order (`II`, `I`, `Ill`...), taken as the run I, II, III...
    they are most likely to be: a number read with a stroke of an I or a V lost or added (Indel distance) costs 1, a
    heading lost between two costs SECTION_GAP, a new run from I SECTION_RESTART; the first is free."""
    numbers = range(1, SECTIONS_MAX)
    costs = {n: float(Indel.distance(to_roman(n), read[0])) for n in numbers}
    back: list[dict[int, int]] = []
    for text in read[1:]:
        step: dict[int, tuple[float, int]] = {}
        for n in numbers:
            here = Indel.distance(to_roman(n), text)
            step[n] = min((costs[m] + here + (SECTION_GAP * (n - m - 1) if m < n else SECTION_RESTART + SECTION_GAP * (n - 1)), m) for m in numbers)
        back.append({n: m for n, (_, m) in step.items()})
        costs = {n: c for n, (c, _) in step.items()}
    last = min(numbers, key=lambda n: (costs[n], n))
    out = [last]
    for links in reversed(back):
        out.append(links[out[-1]])
    return out[::-1]


def _number_sections(paragraphs: list[list[TokenRepair]]) -> None:
    """The OCR loses or adds a stroke of a section's number (I. for II., V. for IV. where marks are mangled; II. for a
    bold III. with Tesseract's `vie`): the numbers at the paragraphs' starts are set to the run they are most likely
    to be (`_section_sequence`). A heading in capitals numbered `1.` before the first section is the run's I, its
    stroke read as a one (`1. MỤC ĐÍCH` before `II. NỘI DUNG`)."""
    found = [(k, p[0], m.group(1).upper()) for k, p in enumerate(paragraphs) if (m := _SECTION.match(p[0].text))]
    if not found:
        return
    sections = [(r, read) for _, r, read in found]
    ones = [p[0] for p in paragraphs[: found[0][0]] if _ONE_HEADING.match(p[0].text) and len(p) > 1 and _CAPITALS_WORD.match(p[1].text)]
    if ones:
        sections.insert(0, (ones[-1], "I"))  # its `1.` is as long as `I.`: the run's number replaces it
    for (r, read), n in zip(sections, _section_sequence([read for _, read in sections])):
        r.text = to_roman(n) + "." + r.text[len(read) + 1 :]


_RULE = regex.compile(r"^_{1,2}$")  # a short rule read as text (the line under a header's motto): no word, dropped
_LONE_LETTER = regex.compile(r"^\p{L}$")
_LONE_STOP = regex.compile(r"^[,.;:'‘’`´]$")  # a comma or a quote standing alone, which print never has: a speck's when Tesseract doubts it
_LONE_MARK = regex.compile(r"^[ˆ˜ˇ˘¨´`]+$")  # a mark read apart from its letter (44 lone ˆ in the 30 vie renders): no word
SPECK_CONF = 0.7  # Tesseract's confidence below which a lone letter is taken for a speck of the page
SPECK_WORD = -9.0  # where marks are read, a doubted lone letter is a speck only when it is a word rarer than this (log P)


def _gap_reading(initial: bool) -> tuple[Piece, list[Candidate], bool]:
    """The space between two words a token held glued, or what stands for no word: left out of the decoding."""
    return Piece(" ", GAP), [Candidate(" ", -1, 0.0)], initial


def _speck(token: str, ocr_conf: float) -> bool:
    """A lone letter Tesseract doubts (i, j, z, e, a off a speck or a rule's end; where the OCR reads marks, ụ, ễ,
    only where what repair reads it as is no common word, `Repairer._rare`): no word of the text."""
    return ocr_conf < SPECK_CONF and bool(_LONE_LETTER.match(token))

_NUMBERISH = regex.compile(r"\d$")
# an abbreviation and the syllable after it read without the space between (TTĐTtinh, a real page at 100 dpi)
_ABBREVIATION_GLUED = regex.compile(r"^(\p{Lu}{3,})(\p{Ll}{2,})\W*$")  # not two capitals (ĐHờng, MGi: a word misread)
# a code's part of capitals then a number, its 1 read as a letter (QHI5: vn-legal's 26M syllables have no I or l
# there) or its 8 as § (CV-PA§3)
_CODE_DIGIT_READ = regex.compile(r"(?<=/[\p{Lu}\d-]{0,12}\p{Lu})[Il§](?=\d+(?:\W|$))")
_DIGIT_OF = {"I": "1", "l": "1", "§": "8"}
# a code's number whose first 5 was read as an S (S770/NBI-QLDN2, a real page as a photo; vn-legal's codes never open so)
_CODE_FIVE_READ = regex.compile(r"^(\W*)S(?=\d+/[\p{Lu}\d])")
_CODE_TAIL = regex.compile(r"^/[\p{Lu}\d][\p{Lu}\p{Ll}\d/.-]*$")
_DASHED_CODE_TAIL = regex.compile(r"^-\p{Lu}+/[\p{Lu}\d][\p{Lu}\p{Ll}\d/.-]*[,;:)]?$")  # a Party document's: 51 -KL/TW
_COLON_NUMBER = regex.compile(r"^(\p{L}+):(\d)")
_DATE_LABEL_JOINED = regex.compile(r"(?i)^(ngày|tháng|năm)[-–—~_](\d)")  # tháng-11: a speck read as a dash (vn-legal: none)
_ONE_READ = regex.compile(r"^[Il|!]([^\p{L}\p{N}]*)$")
_ONE_LEADING = regex.compile(r"^[Il]\d+[^\p{L}\p{N}]*$")  # I2, l5: a number whose first 1 was read as a letter (vn-legal: 10 in 26M)
_FIRST_ITEM_READ = {"!.", "l.", "|."}  # a paragraph opening `1.` with its 1 read as a letter or a bar (never I.: a section)
NUMBERED_IN_DIGITS = {"khoản", "điều"}  # clauses and articles: khoản 1 Điều 13 (vn-legal: 218,740 in digits, 1 in Roman)


_LISTED_NUMBER = regex.compile(r"^\d+,$")


def _in_number_list(results: list[TokenRepair], i: int) -> bool:
    """Does `results[i]`, a 1 read as a letter followed by a comma, open or stand in a list of numbers that goes on
    (`GDTX số I, 2, 3`, a real page at 100 dpi; `1, I, 3`)? Not a Roman one before a count (`quý I, 6 tháng`)."""
    after = results[i + 1].text if i + 1 < len(results) else ""
    listed = bool(_LISTED_NUMBER.match(after)) or (i > 0 and bool(_LISTED_NUMBER.match(results[i - 1].text)) and after[:1].isdigit())
    return results[i].text.endswith(",") and listed


def _tidy_numbers(results: list[TokenRepair], blank_printed: bool) -> list[TokenRepair]:
    """`Số:311` -> `Số: 311`, `tháng-11` -> `tháng 11`; `311` `/BC-UBND` -> `311/BC-UBND` and `51` `-KL/TW` ->
    `51-KL/TW` (the code glued back to its number; `blank_printed`, everywhere but where the OCR garbles (eng): a space
    before the slash is the page's, the blank left for a number written in by hand, `Số: 23 /BC-UBND`, and stays); the 1
    of a clause or an article read as a letter (`khoản I Điều 12`, `Điều l.`) or of a list of numbers (`số I, 2,
    3`) -> 1, of a paragraph's first item (`!. Doanh nghiệp`) -> 1., of a number (`trong I5 năm`) -> 15 and of a
    code's last part (`67/2025/QHI5`) -> QH15; a code's 8 read as § (`115/CV-PA§3`) -> 8, and its number's first
    5 read as S (`S770/NBI-QLDN2`) -> 5."""
    for i, r in enumerate(results):
        if ":" in r.text:
            r.text = _COLON_NUMBER.sub(r"\1: \2", r.text)
        r.text = _DATE_LABEL_JOINED.sub(r"\1 \2", r.text)
        if "/" in r.text:
            r.text = _CODE_FIVE_READ.sub(r"\g<1>5", _CODE_DIGIT_READ.sub(lambda m: _DIGIT_OF[m.group()], r.text))
        one = _ONE_READ.match(r.text) if len(r.text) <= 3 else None
        if one and ((results[i - 1].text.lower() in NUMBERED_IN_DIGITS if i else r.text in _FIRST_ITEM_READ) or _in_number_list(results, i)):
            r.text = "1" + one.group(1)
        elif r.text[:1] in "Il" and _ONE_LEADING.match(r.text):
            r.text = "1" + r.text[1:]
        if i and (
            r.text[:1] == "/" and not blank_printed and _CODE_TAIL.match(r.text) and _NUMBERISH.search(results[i - 1].text)
            or r.text[:1] == "-" and _DASHED_CODE_TAIL.match(r.text) and results[i - 1].text.isdigit()
        ):
            results[i - 1].text += r.text
            r.text = ""
    return results


_STOP_FOR_COMMA = regex.compile(r"^(\p{L}*\p{Ll}\p{L}*)\.$")  # a word of two letters or more, one period after it
_SMALL_START = regex.compile(r"^\p{Ll}")


def _tidy_commas(results: list[TokenRepair]) -> list[TokenRepair]:
    """A period between a word and a word in small letters is a comma the OCR read small (`xuất. hấp thụ` ->
    `xuất, hấp thụ`): no sentence opens in small letters. Not after a lone letter (`a. nội dung`, a list's)."""
    for r, after in zip(results, results[1:]):
        m = _STOP_FOR_COMMA.match(r.text) if r.text.endswith(".") else None
        if m and len(m.group(1)) >= 2 and _SMALL_START.match(after.text):
            r.text = m.group(1) + ","
    return results


# 16m? 394m”, đồng/m? mˆ, 62,9mẺ. theo mŸ: the small ² read as a symbol or a marked capital; 16m), after a number
# with no bracket opened before it
_SQUARE_METRES = regex.compile(r"(?V1)^((?:.*[\d/])?)m(?:[?”\"ˆ’']|[\p{Lu}--\p{ASCII}]|(?<=^[^(]*\dm)\))(\W*)$")
_DASH_READ = regex.compile(r"^[,.'‘’`]?(?:—?~|~-)$")  # a list's dash in small print read as a tilde, a speck's mark maybe before it


def _tidy_symbols(results: list[TokenRepair]) -> list[TokenRepair]:
    """What the OCR makes of small symbols: the superscript of m² (`đồng/m?`, `394m”,`, `16m),`) -> m2; a list's dash
    read as a tilde before a word (`~ Như trên;`, `.~ Trạm Y tế xã.`) -> `-`."""
    for r, after in zip(results, [*results[1:], None]):
        square = _SQUARE_METRES.match(r.text) if "m" in r.text else None
        if square:
            r.text = f"{square.group(1)}m2{square.group(2)}"
        elif "~" in r.text and _DASH_READ.match(r.text) and after is not None and after.text[:1].isalpha():
            r.text = "-"
    return results


def _settled_abbreviations(paragraphs: list[list[str]], lexicon: Lexicon) -> dict[str, str]:
    """One document, one vocabulary, for abbreviations: a token in capitals that is no word, no known abbreviation
    and no Roman numeral, one letter from an abbreviation the document writes ABBREVIATION_SETTLED times as often
    and three times at least (a known one, or capitals that are no syllable), is that abbreviation misread
    (`TIHC`, `(TEHC)`, `TTIHC` where TTHC stands ten times). Token as read -> as written, the punctuation kept."""
    cores = Counter(t.strip(EDGE_PUNCTUATION) for tokens in paragraphs for t in tokens)
    capitals = {a for a in cores if _CAPITALS.match(a) and not _ROMAN.match(a)}
    settled = [a for a in capitals if cores[a] >= ABBREVIATION_SETTLED and (a in lexicon.abbreviations or not is_syllable(a.lower()))]
    found = {}
    for token in {t for tokens in paragraphs for t in tokens}:
        core = token.strip(EDGE_PUNCTUATION)
        if core not in capitals or core in lexicon.abbreviations or fold(core.lower()) in lexicon.by_fold:
            continue
        near = [
            a for a in settled
            if cores[a] >= ABBREVIATION_SETTLED * cores[core] and Levenshtein.distance(a, core, score_cutoff=1) == 1
        ]
        if len(near) == 1:
            found[token] = token.replace(core, near[0], 1)
    return found


@lru_cache(maxsize=4)
def shared_repairer(tone_style: str = "old", user_lm: str | None = None) -> Repairer:
    """One repairer per process and setting (loading the dictionaries takes about a second)."""
    return Repairer(load_lexicon(Path(user_lm) if user_lm else None), tone_style)


def repair_words(paragraphs: list[list[Word]], repairer: Repairer, params: Params) -> None:
    """Repair the paragraphs of one document's model words in place: text, conf, flag, alternatives, source."""
    paragraphs = [words for words in paragraphs if words]
    # Tesseract's word confidence is evidence too, for words read from an image
    confs = [[w.conf for w in words] if all(w.bbox is not None for w in words) else None for words in paragraphs]
    decoded = repairer.repair_paragraphs([[w.ocr for w in words] for words in paragraphs], params, confs)
    for words, results in zip(paragraphs, decoded):
        for word, result in zip(words, results):
            if result.text != word.text:
                word.set_text(result.text, "repair")
            word.conf = result.conf
            word.flag = result.flag
            word.alternatives = result.alternatives


def _opens_unit(line: Line) -> bool:
    """A line of a header or signature column that opens with a capital stands on its own (`CỤC THUẾ` above
    `Số: 2191`, `KT. CHỦ TỊCH` above `PHÓ CHỦ TỊCH`), whatever paragraph Tesseract put it in: the next line
    is no continuation of it, and read on, `thuê số` would argue against `thuế`. A subject's second line
    (`trong dịp nghỉ hè`) opens small and goes on."""
    first = next((c for w in line.words for c in w.ocr if c.isalpha()), "")
    return line.column != "full" and first.isupper()


def repair_document(doc: Document, tone_style: str = "old", user_lm: str | None = None) -> Document:
    """The repair stage: each paragraph of the document decoded as a whole, the document as one vocabulary."""
    repairer = shared_repairer(tone_style, user_lm)
    params = Params.estimate([nfc(w.ocr) for w in doc.words()], repairer.lexicon)
    paragraphs: list[list[Word]] = []
    last = None
    for line in doc.lines():
        key = (line.page, line.paragraph)
        if key != last or _opens_unit(line):
            paragraphs.append([])
            last = key
        # a handwritten number is no word to repair, nor is a word of a born-digital text layer
        paragraphs[-1].extend(w for w in line.words if not w.fill_in and w.source != "text-layer")
    repair_words(paragraphs, repairer, params)
    for line in doc.lines():  # a token read as two words is two words: boxes, review, exports
        line.words = [part for word in line.words for part in word.parted()]
    return doc
