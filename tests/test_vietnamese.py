"""The mechanics of written Vietnamese: grammar, tones, folding, case, normalization."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.text.vietnamese import apply_case, compose, fold, is_syllable, nfc, normalize_text, parse, strip_tone


@pytest.mark.parametrize(
    "word",
    ["số", "Đảng", "nghiệm", "quyết", "người", "khuỷu", "gì", "giữ", "hoàng", "thuở", "xoong", "uy", "ủy", "hóa", "QUỐC", "yêu", "ươm", "khuya"],
)
def test_valid_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["nhiém", "ciia", "S6", "thyc", "ka", "ce", "gha", "bank", "dd", "tđ", "xã1", "ngiên", "quu"])
def test_invalid_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_stop_codas_take_only_sac_or_nang() -> None:
    assert is_syllable("tác") and is_syllable("tạc") and not is_syllable("tàc") and not is_syllable("tảc")


def test_parse_parts() -> None:
    syl = parse("Nghiệm")
    assert (syl.onset, syl.rhyme, syl.tone) == ("ngh", "iêm", 5)
    assert parse("gìn").onset == "g" and parse("gia").onset == "gi" and parse("quốc").onset == "qu"


@pytest.mark.parametrize(
    ("onset", "rhyme", "tone", "old", "new"),
    [("h", "oa", 1, "hóa", "hoá"), ("h", "oa", 2, "hòa", "hoà"), ("", "uy", 3, "ủy", "uỷ"), ("th", "uy", 3, "thủy", "thuỷ"),
     ("kh", "oe", 3, "khỏe", "khoẻ"), ("h", "oan", 2, "hoàn", "hoàn"), ("ng", "ươi", 2, "người", "người"), ("qu", "y", 1, "quý", "quý"),
     ("", "ai", 1, "ái", "ái"), ("m", "ua", 1, "múa", "múa"), ("kh", "uyu", 3, "khuỷu", "khuỷu"), ("ng", "oai", 2, "ngoài", "ngoài")],
)
def test_tone_placement(onset: str, rhyme: str, tone: int, old: str, new: str) -> None:
    assert compose(onset, rhyme, tone, "old") == old and compose(onset, rhyme, tone, "new") == new


def test_normalize_text_tone_style_and_case() -> None:
    assert normalize_text("Văn hoá, THUỶ lợi, Uỷ ban") == "Văn hóa, THỦY lợi, Ủy ban"
    assert normalize_text("Văn hóa, Ủy ban", style="new") == "Văn hoá, Uỷ ban"


def test_nfd_and_compatibility_forms() -> None:
    decomposed = unicodedata.normalize("NFD", "Nghị quyết số")
    assert nfc(decomposed) == "Nghị quyết số"
    assert nfc("Ｓố") == "Số"
    assert strip_tone("nghiệm") == ("nghiêm", 5)


def test_an_eth_is_a_crossed_d_and_beside_one_it_is_that_d_read_twice() -> None:
    assert nfc("\u00d0ảng") == "Đảng"
    assert nfc("GD&Đ\u00d0T, 1743/Q\u00d0Đ-BGTVT") == "GD&ĐT, 1743/QĐ-BGTVT"
    assert nfc("ĐĐBQH") == "ĐĐBQH"  # two crossed Ds written so: Đoàn đại biểu Quốc hội


def test_fold() -> None:
    assert fold("Đảng ủy - Chuyển đổi số") == "Dang uy - Chuyen doi so"


def test_case_shape() -> None:
    assert [apply_case("số", s) for s in ("So", "SO", "so", "S6")] == ["Số", "SỐ", "số", "Số"]


@given(st.text())
def test_fold_is_ascii_for_vietnamese_and_keeps_length(text: str) -> None:
    text = nfc(text)
    assert len(fold(text)) <= len(unicodedata.normalize("NFD", text))
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_normalize_never_crashes_and_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@pytest.mark.parametrize("word", ["Ñguyễn", "ñị", "ÒÍ", "Trằế"])
def test_a_mark_on_a_consonant_or_a_second_tone_is_no_syllable(word: str) -> None:
    """`Ñguyễn` (a stroke above the N read as its tilde) and two tones are no Vietnamese spelling."""
    assert not is_syllable(word) and is_syllable("Nguyễn")


def test_a_stray_mark_after_a_word_stays_put_when_normalized_twice() -> None:
    once = normalize_text("OÌ´")
    assert normalize_text(once) == once == unicodedata.normalize("NFC", once)
