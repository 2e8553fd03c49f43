"""Token alignment of OCR output with truth text (scripts/make_ocr_pairs.py); no OCR runs here."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("make_ocr_pairs", ROOT / "scripts" / "make_ocr_pairs.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_ocr_pairs", mod)
    spec.loader.exec_module(mod)
    return mod


M = _load()


def pairs(truth: str, observed: str) -> list[tuple[str | None, str | None]]:
    return M.align_pairs(truth.split(), observed.split())


def subs(truth: str, observed: str) -> list[tuple[str, str]]:
    return [(t, o) for t, o in pairs(truth, observed) if t is not None and o is not None]


def test_fold_and_confusions():
    assert M.fold("Đảng Nghĩa ƯU") == "dang nghia uu"
    assert M.conf_fold("S6:") == "so:"
    assert M.conf_fold("ciia") == "cua"
    assert M.conf_fold("x&") == "xa"
    assert M.conf_fold("1a") == "la"
    assert M.token_sim("của", "ciia") == 1.0
    assert M.token_sim("Số:", "S6:") == 1.0
    assert M.token_sim("nhân", "qwerty") < 0.4


def test_garbled_tokens_pair_with_their_truth():
    truth = "Số: 57-NQ/TW của Đảng về nhiệm vụ là xã thực hiện năm 2025"
    ocr = "S6: 57-NQ/TW ciia Pang vé nhiém vu 1a x& thyc hién nam 2025"
    assert subs(truth, ocr) == list(zip(truth.split(), ocr.split()))


def test_insertions_and_deletions():
    truth = "Ủy ban nhân dân xã Tân Hòa báo cáo kết quả như sau"
    ocr = "~ Uy ban nhan _ dan Tan Hoa bao cao két qua nhw sau :"
    got = pairs(truth, ocr)
    assert ("xã", None) in got  # the OCR lost it
    for junk in ("~", "_", ":"):
        assert (None, junk) in got
    assert ("nhân", "nhan") in got and ("dân", "dan") in got
    assert ("kết", "két") in got and ("như", "nhw") in got
    # every truth and every OCR token appears exactly once, in order
    assert [t for t, _ in got if t] == truth.split()
    assert [o for _, o in got if o] == ocr.split()


def test_unrelated_tokens_are_not_paired():
    got = pairs("phát triển kinh tế bền vững", "phát triển QWXZ tế bền vững")
    assert ("kinh", "QWXZ") not in got
    assert ("kinh", None) in got and (None, "QWXZ") in got


def test_split_and_merged_tokens():
    got = pairs("trách nhiệm của đơn vị ngày 14 tháng 3", "trách nhiệm c ủa đơn vị ngày14 tháng 3")
    assert ("của", "c ủa") in got
    assert ("ngày 14", "ngày14") in got
    assert ("trách", "trách") in got and ("tháng", "tháng") in got
    # an exact match plus a gap beats a merge: the extra token stays an insertion
    got = pairs("số 214/BC-UBND ngày", "số 214/BC-UBND I. ngày")
    assert ("214/BC-UBND", "214/BC-UBND") in got and (None, "I.") in got


def test_header_read_in_another_order_is_recovered():
    # truth: left column (issuer, number) then right column; OCR reads the columns line by line
    truth = (
        "ỦY BAN NHÂN DÂN PHƯỜNG HÒA MINH Số: 214/BC-UBND "
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc Hòa Minh, ngày 05 tháng 9 năm 2025"
    )
    ocr = (
        "UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM PHUONG HOA MINH Doc lap - Tu do - Hanh phic "
        "S6: 214/BC-UBND ~ Hoa Minh, ngay 05 thdng 9 néim 2025"
    )
    got = subs(truth, ocr)
    for pair in [("Số:", "S6:"), ("214/BC-UBND", "214/BC-UBND"), ("PHƯỜNG", "PHUONG"), ("NGHĨA", "NGHIA"),
                 ("tháng", "thdng"), ("phúc", "phic")]:
        assert pair in got


def test_tally_strips_edge_punctuation_only():
    t = M.tally_alignment(
        "Số: 57-NQ/TW (HĐND) của Đảng, xã - phường.\n",
        "S6: 57-NQ/TW (HDND) ciia Pang, x& - phuwdng.\n",
    )
    assert t.pairs == Counter({
        ("Số", "S6"): 1, ("57-NQ/TW", "57-NQ/TW"): 1, ("HĐND", "HDND"): 1, ("của", "ciia"): 1,
        ("Đảng", "Pang"): 1, ("xã", "x&"): 1, ("phường", "phuwdng"): 1,
    })
    assert t.aligned == 7 and t.identical == 1  # the "-" token is punctuation, not counted
    assert t.truth_tokens == 7 and t.deleted == 0 and t.inserted == 0


def test_tally_counts_identity_and_splits():
    t = M.tally_alignment("năm năm năm của", "năm nam năm c ủa")
    assert t.pairs[("năm", "năm")] == 2 and t.pairs[("năm", "nam")] == 1
    assert t.identical == 2 and t.identical_folded == 3 and t.aligned == 3
    assert t.splits == Counter({("của", "c ủa"): 1})


def test_empty_sides():
    assert pairs("", "") == []
    assert pairs("một hai", "") == [("một", None), ("hai", None)]
    assert pairs("", "x y") == [(None, "x"), (None, "y")]


def test_select_training_is_disjoint_strided_and_deterministic():
    docs = [Path(f"d-{i:03d}.txt") for i in range(120)]
    quotas = {"eng": 35, "vie": 35, "vie-clean": 20}
    sel = M.select_training(list(reversed(docs)), quotas)
    assert {m: len(v) for m, v in sel.items()} == quotas
    chosen = [p for v in sel.values() for p in v]
    assert len(set(chosen)) == 90
    assert sel == M.select_training(docs, quotas)
    # spread over the whole list, not its head
    for v in sel.values():
        assert min(v) < Path("d-010.txt") and max(v) > Path("d-100.txt")
    few = M.select_training(docs[:50], quotas)
    assert all(len(v) == min(q, 50) for v, q in zip(few.values(), quotas.values()))


def test_write_tsv_sorted_and_trimmed(tmp_path):
    counts = Counter({("xã", "xa"): 3, ("và", "và"): 5, ("là", "là"): 1, ("là", "1a"): 1})
    path = tmp_path / "pairs.tsv"
    assert M.write_tsv(path, counts) == 4
    assert path.read_text("utf-8").splitlines() == ["và\tvà\t5", "xã\txa\t3", "là\t1a\t1", "là\tlà\t1"]
    assert M.read_tsv(path) == counts
    M.write_tsv(path, counts, limit_bytes=10)  # too big: count-1 identity pairs go
    assert ("là", "là") not in M.read_tsv(path) and ("là", "1a") in M.read_tsv(path)


@pytest.mark.parametrize("mode", list(M.MODES))
def test_modes(mode):
    m = M.MODES[mode]
    assert m.lang in ("eng", "vie") and m.dpi in (150, 300)
    d = M._degradation(m, 7)
    assert abs(d.rotation_deg) <= m.max_rotation and d == M._degradation(m, 7)


def test_whole_word_case_change_is_not_a_confusion():
    # "Nơi nhận:" beside "TM. ỦY BAN NHÂN DÂN": read in another order, nhận must not pair with NHÂN
    assert M.token_sim("nhận", "NHÂN") < M.SECOND_PASS_SIM
    assert M.token_sim("xã", "Xã") == 1.0 and M.token_sim("ỦY", "UY") == 1.0
    got = pairs("Nơi nhận: TM. ỦY BAN NHÂN DÂN", "TM. UY BAN NHÂN DÂN Nơi nhận:")
    assert ("nhận:", "NHÂN") not in got and ("NHÂN", "NHÂN") in got
    assert ("nhận:", "nhận:") in got
