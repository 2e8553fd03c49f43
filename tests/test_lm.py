"""The array-backed language model: counting, Kneser-Ney estimation, pruning, mixing, storage, look-ups."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import lm
from pipeline.text.tokens import SENT

WORDS = [SENT, lm.UNK, "ủy", "ban", "nhân", "dân", "phường", "xã", "báo", "cáo", "kế", "hoạch"]


def model_of(sentences: list[list[str]], fragments: list[list[str]] = (), min_count: tuple[float, float] = (1.0, 1.0)) -> lm.ArrayModel:
    ids = {w: i for i, w in enumerate(WORDS)}

    def stream(seqs, sentence):
        flat = np.array([ids[w] for seq in seqs for w in seq], np.int64)
        return lm.make_stream(flat, np.array([len(seq) for seq in seqs]), sentence, 1.0, ids[SENT])

    parts = [stream(sentences, True)] + ([stream(fragments, False)] if fragments else [])
    return lm.estimate(lm.count_ngrams(lm.concat_streams(parts)), WORDS, min_count=min_count)


def distribution(model: lm.ArrayModel, a: int, b: int) -> np.ndarray:
    """P(w | a b) for every symbol but <unk>'s neighbours of nothing: the whole vocabulary."""
    keys = np.array([lm.pack((a, b, c)) for c in range(len(WORDS))], np.int64)
    return np.exp(lm.trigram_logprob(model, keys))


SENTENCES = st.lists(st.lists(st.sampled_from(WORDS[2:]), min_size=1, max_size=8), min_size=1, max_size=12)


def test_counts_match_the_plain_counter() -> None:
    sentences = [["ủy", "ban", "nhân", "dân"], ["ủy", "ban", "phường"], ["nhân", "dân"]]
    counter = lm.NgramCounts()
    for s in sentences:
        counter.add(s)
    ids = {w: i for i, w in enumerate(WORDS)}
    flat = np.array([ids[w] for s in sentences for w in s], np.int64)
    counts = lm.count_ngrams(lm.make_stream(flat, np.array([len(s) for s in sentences]), True, 1.0, ids[SENT]))
    for k in (1, 2, 3):
        got = {tuple(WORDS[(int(key) >> (lm.BITS * j)) & lm.MASK] for j in range(k - 1, -1, -1)): n for key, n in zip(*counts[k])}
        assert got == dict(counter.counts[k])


@settings(max_examples=30, deadline=None)
@given(SENTENCES, st.sampled_from(WORDS[2:]), st.sampled_from(WORDS[2:]))
def test_every_context_sums_to_one(sentences: list[list[str]], a: str, b: str) -> None:
    model = model_of(sentences)
    ids = {w: i for i, w in enumerate(WORDS)}
    for ctx in ((ids[SENT], ids[SENT]), (ids[SENT], ids[a]), (ids[a], ids[b])):
        assert distribution(model, *ctx).sum() == pytest.approx(1.0, abs=1e-4)


@settings(max_examples=20, deadline=None)
@given(SENTENCES, SENTENCES, st.floats(0.1, 0.9))
def test_pruned_and_mixed_models_still_sum_to_one(first: list[list[str]], second: list[list[str]], weight: float) -> None:
    mixed = lm.interpolate(model_of(first), model_of(second, min_count=(1.0, 2.0)), weight)
    ids = {w: i for i, w in enumerate(WORDS)}
    for a, b in ((ids[SENT], ids[SENT]), (ids["ủy"], ids["ban"]), (ids["nhân"], ids["dân"])):
        assert distribution(mixed, a, b).sum() == pytest.approx(1.0, abs=1e-3)


def test_a_seen_trigram_beats_an_unseen_one() -> None:
    model = model_of([["ủy", "ban", "nhân", "dân"]] * 3 + [["báo", "cáo", "xã"]])
    ids = {w: i for i, w in enumerate(WORDS)}
    seen, unseen = lm.trigram_logprob(model, np.array([lm.pack((ids["ban"], ids["nhân"], ids["dân"])), lm.pack((ids["ban"], ids["nhân"], ids["xã"]))]))
    assert seen > unseen + 1


def test_fragments_count_only_their_inner_ngrams() -> None:
    model = model_of([["xã"]], fragments=[["kế", "hoạch"]])
    ids = {w: i for i, w in enumerate(WORDS)}
    assert lm.pack((ids["kế"], ids["hoạch"])) in set(model.bi_keys.tolist())
    assert lm.pack((ids[SENT], ids["kế"])) not in set(model.bi_keys.tolist())


def test_saved_model_loads_and_scores_as_estimated(tmp_path) -> None:
    model = model_of([["ủy", "ban", "nhân", "dân", "phường"], ["ủy", "ban", "nhân", "dân", "xã"], ["báo", "cáo"]])
    lm.save(model, tmp_path / "lm.npz")
    loaded = lm.LanguageModel(tmp_path / "lm.npz")
    ids = loaded.ids
    keys = [lm.pack((ids[a], ids[b], ids[c])) for a, b, c in (("ủy", "ban", "nhân"), ("nhân", "dân", "xã"), ("báo", "cáo", "phường"))]
    expected = lm.trigram_logprob(model, np.array(keys, np.int64))
    for got, want in zip(loaded.scores(keys), expected):
        assert got == pytest.approx(want, abs=0.01)  # float16 on disk


def test_a_batch_scores_each_trigram_as_it_alone_would_score(tmp_path) -> None:
    lm.save(model_of([["ủy", "ban", "nhân", "dân"], ["phường", "xã"]]), tmp_path / "lm.npz")
    model = lm.LanguageModel(tmp_path / "lm.npz")
    keys = [lm.pack((a, b, c)) for a in range(3) for b in range(len(WORDS)) for c in range(len(WORDS))]
    batch = model.scores(keys[::-1] + keys[:5])  # out of order, some twice
    assert batch[: len(keys)][::-1] == [model.scores([key])[0] for key in keys]
    assert batch[len(keys) :] == batch[: len(keys)][::-1][:5]
    assert all(math.isfinite(v) and v < 0 for v in batch)


def test_after_the_unseen_history_a_word_is_scored_by_its_unigram_then_its_bigram(tmp_path) -> None:
    """A line that opens inside a sentence: its first word is scored as common as it is, not as sentences open."""
    model = model_of([["ủy", "ban", "nhân", "dân"], ["báo", "cáo", "kế", "hoạch"], ["ủy", "ban", "xã"]])
    lm.save(model, tmp_path / "lm.npz")
    loaded = lm.LanguageModel(tmp_path / "lm.npz")
    ids, unseen = loaded.ids, loaded.unseen
    assert unseen not in (ids[w] for w in WORDS)
    words = ("ban", "kế", "ủy")
    first = loaded.scores([lm.pack((unseen, unseen, ids[w])) for w in words])
    assert first == pytest.approx([float(loaded.arrays.uni[ids[w]]) for w in words])
    pairs = (("ban", "xã"), ("kế", "hoạch"))
    second = loaded.scores([lm.pack((unseen, ids[a], ids[b])) for a, b in pairs])
    assert second == pytest.approx(lm.bigram_logprob(model, np.array([lm.pack((ids[a], ids[b])) for a, b in pairs], np.int64)).tolist(), abs=0.01)
    opening = loaded.scores([lm.pack((ids[SENT], ids[SENT], ids[w])) for w in words])
    assert first[0] > opening[0] and first[2] < opening[2]  # ban opens no sentence, ủy opens two of three
