"""Confidence: the logistic calibration, its figures, and the shipped coefficients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import confidence
from pipeline.text.confidence import Calibration, DocumentReadings, Evidence

EVIDENCE = st.builds(
    Evidence,
    posterior=st.floats(0, 1),
    channel=st.floats(-60, 0),
    changed=st.booleans(),
    known=st.booleans(),
    readings=st.integers(1, 30),
    mode=st.sampled_from(["eng", "vie", "folded"]),
    ocr_conf=st.one_of(st.none(), st.floats(0, 1)),
    odd_shape=st.booleans(),
    token=st.sampled_from(["", "dân", "DÂN", "Hà", "trên-khung", "k¥", "“xã”,", "57-NQ/TW", "6"]),
    syllable=st.booleans(),
    neighbour=st.floats(0, 1),
    neighbour_ocr_conf=st.one_of(st.none(), st.floats(0, 1)),
    agreement=st.floats(0, 1),
    elsewhere=st.integers(0, 500),
    text=st.sampled_from(["", "dân", "nữ’", "-lượng", "12%", "này./"]),
)


@settings(max_examples=200, deadline=None)
@given(EVIDENCE)
def test_shipped_calibration_gives_a_probability(e: Evidence) -> None:
    p = Calibration.load().probability(e)
    assert 0.0 <= p <= 1.0


def test_shipped_calibration_trusts_the_decoder_and_tesseract() -> None:
    cal = Calibration.load()
    base = Evidence(0.6, -2.0, False, True, 4, "vie", 0.6)
    assert cal.probability(Evidence(0.99, -2.0, False, True, 4, "vie", 0.6)) > cal.probability(base)
    assert cal.probability(Evidence(0.6, -2.0, False, True, 4, "vie", 0.95)) > cal.probability(base)
    assert cal.probability(Evidence(0.6, -2.0, False, False, 4, "vie", 0.6)) < cal.probability(base)


def test_fit_recovers_a_known_relation() -> None:
    rng = np.random.default_rng(7)
    posteriors = rng.uniform(0.01, 0.99, 4000)
    evidence = [Evidence(float(p), -1.0, False, True, 3, "folded") for p in posteriors]
    right = rng.uniform(size=4000) < posteriors  # the posterior is already calibrated
    cal = Calibration((("folded text", tuple(confidence.fit(evidence, right).tolist())),))
    conf = np.array([cal.probability(e) for e in evidence])
    assert confidence.expected_calibration_error(conf, right) < 0.03
    assert np.corrcoef(conf, posteriors)[0, 1] > 0.99


def test_calibration_error_and_catch_rates() -> None:
    conf = np.array([0.1, 0.2, 0.9, 0.95, 0.99, 0.99])
    right = np.array([False, False, True, True, True, True])
    assert confidence.expected_calibration_error(np.array([0.75] * 4), np.array([True, True, True, False])) == pytest.approx(0.0)
    assert confidence.caught_at_rates(conf, right, (1 / 6, 2 / 6, 1.0)) == [0.5, 1.0, 1.0]


def test_thresholds_flag_the_budgeted_share() -> None:
    rng = np.random.default_rng(3)
    evidence = [Evidence(float(p), -1.0, False, True, 3, mode) for p in rng.uniform(size=2000) for mode in ("eng", "vie")]
    cal = Calibration(None, confidence.thresholds(Calibration.identity(), evidence, {"eng": 0.08, "vie": 0.05}))
    for mode, share in (("eng", 0.08), ("vie", 0.05)):
        flagged = np.mean([cal.flags(e, cal.probability(e)) for e in evidence if e.mode == mode])
        assert flagged == pytest.approx(share, abs=0.01)


def test_saved_calibration_round_trips(tmp_path) -> None:
    coef = tuple(float(i) / 10 for i in range(len(confidence.FEATURES)))
    cal = Calibration((("eng text", coef), ("vie image", coef[::-1])), (("eng text", 0.8), ("vie image", 0.95)))
    cal.save(tmp_path / "c.json")
    assert Calibration.load(tmp_path / "c.json") == cal


def test_shipped_calibration_is_fitted_per_kind_of_input_and_monotone_in_the_evidence() -> None:
    cal = Calibration.load()
    assert {"eng text", "eng image", "vie text", "vie image", "folded text"} <= set(dict(cal.coef))
    posteriors = np.linspace(0.05, 0.9999, 40)
    for mode in ("eng", "vie", "folded"):
        for ocr_conf in (None, 0.3, 0.9):
            conf = [cal.probability(Evidence(float(p), -1.0, True, True, 5, mode, ocr_conf, token="dan")) for p in posteriors]
            assert np.all(np.diff(conf) >= 0), (mode, ocr_conf)
    for mode in ("eng", "vie"):
        conf = [cal.probability(Evidence(0.9, -1.0, True, True, 5, mode, float(c), token="dan")) for c in np.linspace(0, 1, 20)]
        assert np.all(np.diff(conf) > 0), mode


def test_a_word_without_a_known_reading_is_always_flagged() -> None:
    cal = Calibration.load()
    sure_but_unknown = Evidence(0.9999, 0.0, False, False, 1, "vie", 0.96, token="xqzt", syllable=False)
    assert cal.flags(sure_but_unknown, cal.probability(sure_but_unknown))


def test_a_group_not_fitted_takes_its_mode_text_calibration() -> None:
    cal = Calibration((("folded text", tuple([2.0] + [0.0] * (len(confidence.FEATURES) - 1))),), (("folded text", 0.5),))
    scanned = Evidence(0.5, -1.0, False, True, 3, "folded", 0.9)
    assert scanned.group == "folded image"
    assert cal.probability(scanned) == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert not cal.flags(scanned, cal.probability(scanned))


@pytest.mark.parametrize(
    ("token", "capitals", "title", "stray", "edge", "joined", "digits", "syllable"),
    [
        ("dân", 0, 0, 0, 0, 0, 0, 1),
        ("“Xã”,", 0, 1, 0, 0, 0, 0, 1),  # the quotes and the comma are the sentence's
        ("CHỦ", 1, 0, 0, 0, 0, 0, 1),
        ("trên-khung", 0, 0, 1, 0, 1, 0, 0),  # two words run together
        ("_cải", 0, 0, 1, 1, 0, 0, 0),
        ("-lượng", 0, 0, 1, 1, 0, 0, 0),  # the OCR's hyphen before a word, kept by repair: no word of the truth
        ("nữ’,", 0, 0, 1, 1, 0, 0, 0),  # a closing quote read as an apostrophe
        ("S6", 0, 1, 0, 0, 0, 1, 0),  # a capital then no other: title case, as is_title reads B§
    ],
)
def test_shape_of_what_was_read(token: str, capitals: int, title: int, stray: int, edge: int, joined: int, digits: int, syllable: int) -> None:
    assert confidence.shape(token)[:7] == (capitals, title, stray, edge, joined, digits, syllable)


def test_document_readings_tell_how_the_same_letters_were_read_elsewhere() -> None:
    readings = DocumentReadings.of(["dẫn", "dân", "dẫn", "dẫn", "hướng", "dẫn"])
    assert readings.agreement("dân") == (0.2, 4)
    assert readings.agreement("dẫn") == (0.8, 4)
    assert readings.agreement("hướng") == (1.0, 0)
    assert readings.agreement("đàn") == (0.0, 4)  # the same letters, read otherwise everywhere
    assert readings.agreement("xã") == (1.0, 0)  # letters the document does not hold


def test_shipped_calibration_doubts_a_reading_the_document_reads_otherwise() -> None:
    cal = Calibration.load()
    for mode in ("eng", "folded"):
        agreed = Evidence(0.95, -1.0, True, True, 5, mode, token="dan", agreement=1.0, elsewhere=6)
        against = Evidence(0.95, -1.0, True, True, 5, mode, token="dan", agreement=1 / 7, elsewhere=6)
        assert cal.probability(against) < cal.probability(agreed), mode


def test_shipped_calibration_doubts_a_symbol_left_at_a_word_s_edge() -> None:
    cal = Calibration.load()
    for mode in ("eng", "vie"):
        plain = Evidence(0.99, -1.0, True, True, 5, mode, token="lugng")
        edged = Evidence(0.99, -1.0, True, True, 5, mode, token="-lugng")
        assert cal.probability(edged) < cal.probability(plain), mode


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("dân", False),
        ("“Xã”,", False),  # the sentence's quotes and comma
        ("12%", False),
        ("này./", False),  # the closing mark of an administrative text
        ("57-NQ/TW", False),
        ("nữ’", True),  # the OCR's apostrophe, kept by repair
        ("nữ’,", True),
        ("‘hệ", True),
        ("-lượng", True),
        ("sách_", True),
        ("HIỆN-", True),
        ("20/", True),
    ],
)
def test_a_symbol_repair_kept_at_a_word_s_edge(text: str, kept: bool) -> None:
    assert confidence.kept_at_edge(text) == kept


def test_shipped_calibration_doubts_a_word_written_with_the_ocr_s_symbol_at_its_edge() -> None:
    cal = Calibration.load()
    for mode in ("eng", "vie"):
        plain = Evidence(0.9999, -1.0, True, True, 5, mode, token="nv", text="nữ")
        kept = Evidence(0.9999, -1.0, True, True, 5, mode, token="nv’", text="nữ’")
        assert cal.flags(kept, cal.probability(kept)), mode
        # eng drops an apostrophe after a word before reading it (tokens.unglue), so fewer such words are wrong there
        assert cal.probability(kept) < cal.probability(plain) - 0.1, mode
