"""The decoder's fast path (paragraphs side by side, scores in batches, rows of scores remembered)
against a plain beam search that scores one trigram at a time: the same readings, confidences and
alternatives, to the bit."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text import repair
from pipeline.text.lm import pack
from pipeline.text.repair import Params, Repairer, Slot, shared_repairer

WORDS = (
    "uy ban nhan dan xa phuong bao cao ket qua thuc hien nhiem vu cong tac chuyen doi so truyen thong "
    "nguoi dan duoc huong dan tren dia ban trong nam co so ha tang Ha Noi UBND 311/BC-UBND 2024 S6 ciia Pang "
    "Tw nhiém 1a x& k¥ gilp tu’ I II , . : ( ) Văn Hường sở ngành đã"
).split()
MODES = {"folded": Params(0.95, 0.004, 0.003), "vie": Params(0.01, 0.01, 0.01), "eng": Params(0.9, 0.2, 0.2)}


@pytest.fixture(scope="module")
def repairer() -> Repairer:
    return shared_repairer()


def plain_decode(repairer: Repairer, slots: list[Slot], trust_read: bool) -> list[tuple[int, float, list[str]]]:
    """The beam search and posteriors as first written: one trigram at a time, in the order the search meets them."""
    lm = repairer.lm
    unk = lm.unk
    first = slots[0].piece  # a paragraph that opens in small letters opens inside a sentence, after what it does not show
    sent = lm.unseen if first.kind == "word" and first.text[:1].islower() else lm.sent

    def logprob(a: int, b: int, c: int) -> float:
        return lm.scores([pack((a, b, c))])[0]

    beams = {(sent, sent): 0.0}
    history = []
    for slot in slots:
        nxt: dict[tuple[int, int], float] = {}
        back: dict[tuple[int, int], tuple[tuple[int, int], int]] = {}
        for (a, b), score in beams.items():
            for j, cand in enumerate(slot.candidates):
                sym = cand.symbol if cand.symbol >= 0 else unk
                base = cand.channel + (repair.UNKNOWN_LM if cand.symbol < 0 else 0.0)
                s = score + base if cand.symbol < 0 else score + base + logprob(a, b, sym)
                if (b, sym) not in nxt or nxt[(b, sym)] < s:
                    nxt[(b, sym)], back[(b, sym)] = s, ((a, b), j)
        floor = max(nxt.values()) - (repair.BEAM_DELTA if len(history) > 1 else repair.BEAM_DELTA_START)
        kept = [kv for kv in nxt.items() if kv[1] >= floor]
        width = repair.BEAM if len(history) > 1 else repair.BEAM_START
        beams = dict(sorted(kept, key=lambda kv: -kv[1])[:width] if len(kept) > width else kept)
        history.append(back)
    chosen = [0] * len(slots)
    state = max(beams, key=beams.__getitem__)
    for i in range(len(slots) - 1, -1, -1):
        state, chosen[i] = history[i][state]
    picked = [s.candidates[k] for s, k in zip(slots, chosen)]
    syms = [sent, sent] + [c.symbol if c.symbol >= 0 else unk for c in picked]
    out = []
    for i, slot in enumerate(slots):
        if len(slot.candidates) == 1:
            out.append((chosen[i], 1.0, []))
            continue
        scores = []
        for cand in slot.candidates:
            c = cand.symbol if cand.symbol >= 0 else unk
            s = cand.channel + (0.0 if cand.symbol >= 0 else repair.UNKNOWN_LM)
            trigrams = [(syms[i], syms[i + 1], c)] if cand.symbol >= 0 else []
            for k, trigram in ((1, (syms[i + 1], c, syms[i + 3] if i + 1 < len(slots) else 0)), (2, (c, *syms[i + 3 : i + 5]))):
                if i + k < len(slots):
                    if picked[i + k].symbol >= 0:
                        trigrams.append(trigram)
                    else:
                        s += repair.UNKNOWN_LM
            for trigram in trigrams:
                s += logprob(*trigram)
            scores.append(s)
        weights = [math.exp(s - max(scores)) for s in scores]
        k, conf = chosen[i], weights[chosen[i]] / sum(weights)
        if trust_read and conf < repair.CHANGE_SURE:
            k = next((n for n, c in enumerate(slot.candidates) if c.text == slot.piece.text.lower()), k)
            conf = weights[k] / sum(weights)
        order = sorted(range(len(scores)), key=lambda n: -scores[n])
        texts = [slot.candidates[n].text for n in order]  # a text once, the chosen one not among its rivals
        out.append((k, conf, list(dict.fromkeys(t for t in texts if t != slot.candidates[k].text))[:5]))
    return out


def flat_slots(repairer: Repairer, tokens: list[str], params: Params) -> list[Slot]:
    return [s for slots in repairer._slots(tokens, params) for s in slots]


sentences = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=sentences, mode=st.sampled_from(sorted(MODES)))
def test_paragraphs_decoded_together_read_as_the_plain_search_reads_each(repairer, paragraphs: list[list[str]], mode: str) -> None:
    params = MODES[mode]
    together = [flat_slots(repairer, tokens, params) for tokens in paragraphs]
    repairer._decode_together(together, trust_read=params.mode == "vie")
    for tokens, slots in zip(paragraphs, together):
        expected = plain_decode(repairer, flat_slots(repairer, tokens, params), params.mode == "vie")
        assert [(s.chosen, s.conf, s.ranked) for s in slots] == expected


def test_rows_are_let_go_between_documents_and_scores_stay_the_same(repairer, monkeypatch) -> None:
    tokens = "uy ban nhan dan phuong bao cao ket qua chuyen doi so".split()
    first = [(r.text, r.conf, r.alternatives) for r in repairer.repair_tokens(tokens)]
    repairer.repair_tokens("Ha Noi truyen thong huong dan tren dia ban".split())
    other = set(repairer.lm_rows)
    monkeypatch.setattr(repair, "ROWS_LIMIT", 0)
    assert [(r.text, r.conf, r.alternatives) for r in repairer.repair_tokens(tokens)] == first
    assert not other <= set(repairer.lm_rows)
