"""Tests for pipeline.synth: real rendering, PDF structure, degradation, truth order, OCR."""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from pipeline.synth.page import MARGIN_TOP, page_size_px, render_document
from pipeline.synth.parse import parse_document, truth_text
from pipeline.synth.scan import Degradation, degrade, save_pdf

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "samples" / "src"

DECISION = """ỦY BAN NHÂN DÂN
XÃ THẠCH BÀN
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 12/QĐ-UBND
Thạch Bàn, ngày 05 tháng 3 năm 2025
QUYẾT ĐỊNH
Về việc kiện toàn Ban chỉ đạo phổ cập giáo dục
CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ THẠCH BÀN
Căn cứ Luật Tổ chức chính quyền địa phương;
Theo đề nghị của công chức Văn hóa - Xã hội.
QUYẾT ĐỊNH:
Điều 1. Kiện toàn Ban chỉ đạo phổ cập giáo dục xã gồm 07 thành viên.
Điều 2. Ban chỉ đạo có nhiệm vụ theo dõi, đôn đốc công tác phổ cập giáo dục trên địa bàn.
Điều 3. Quyết định này có hiệu lực kể từ ngày ký./.
Nơi nhận:
- Như Điều 3;
- Lưu: VT.
CHỦ TỊCH
Đinh Công Sơn
"""

LETTER = """UBND HUYỆN MINH SƠN
PHÒNG TÀI CHÍNH - KẾ HOẠCH
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 77/TCKH
Minh Sơn, ngày 11 tháng 4 năm 2025
V/v báo cáo tình hình giải ngân vốn đầu tư công
Kính gửi: Ủy ban nhân dân các xã, thị trấn.
Đề nghị các xã báo cáo tình hình giải ngân vốn đầu tư công quý I năm 2025.
TL. CHỦ TỊCH
TRƯỞNG PHÒNG
Hà Văn Lâm
Nơi nhận:
- Như trên;
- Lưu: VT.
"""


def _lines(text: str) -> list[str]:
    return truth_text(text).splitlines()


def _ink_rows(img: Image.Image, y0: int, y1: int, x0: int = 0, x1: int | None = None) -> np.ndarray:
    a = np.asarray(img.convert("L"))[y0:y1, x0:x1]
    return np.nonzero((a < 128).any(axis=1))[0]


# ------------------------------------------------------------------ rendering


@pytest.mark.parametrize("dpi", [100, 300])
def test_pages_are_a4_at_requested_dpi(dpi: int) -> None:
    pages = render_document(DECISION, dpi=dpi)
    assert len(pages) == 1
    page = pages[0]
    assert page.mode == "L"
    assert page.size == page_size_px(dpi)
    w, h = page.size
    assert abs(w / dpi * 25.4 - 210) < 0.5 and abs(h / dpi * 25.4 - 297) < 0.5
    assert page.info["dpi"] == (dpi, dpi)
    a = np.asarray(page)
    assert (a < 128).mean() > 0.005  # there is text
    left = round(25 / 25.4 * dpi)  # nothing in the left margin (30 mm, header may reach 26 mm)
    assert (a[:, :left] < 128).sum() == 0


def test_sample_report_flows_onto_two_pages() -> None:
    pages = render_document((SRC / "bao-cao-phuong.txt").read_text(encoding="utf-8"), dpi=100)
    assert len(pages) == 2


def test_long_body_flows_with_page_numbers_on_later_pages() -> None:
    para = "Ủy ban nhân dân phường tiếp tục chỉ đạo thực hiện tốt các nhiệm vụ được giao trong năm. " * 6
    text = DECISION.replace("QUYẾT ĐỊNH:\n", "QUYẾT ĐỊNH:\n" + (para.strip() + "\n") * 14)
    dpi = 72
    pages = render_document(text, dpi=dpi)
    assert len(pages) >= 3
    w, _ = pages[0].size
    band = (round(5 / 25.4 * dpi), round((MARGIN_TOP - 4) / 25.4 * dpi))
    assert len(_ink_rows(pages[0], *band)) == 0  # no number on page 1
    for page in pages[1:]:
        a = np.asarray(page)[band[0] : band[1]]
        cols = np.nonzero((a < 128).any(axis=0))[0]
        assert len(cols) > 0, "page number missing"
        assert abs((cols.min() + cols.max()) / 2 - w / 2) < w * 0.03  # centred
    # the closing block (signature) ends up on the last page, nothing on a page past it
    assert (np.asarray(pages[-1]) < 128).any()


def test_vietnamese_letters_get_their_marks() -> None:
    from pipeline.synth.fonts import _face

    face = _face("regular", 60.0)
    assert face.length("ư") > face.length("u")

    def ink(s: str) -> np.ndarray:
        img = Image.new("L", (120, 140), 255)
        face.draw(ImageDraw.Draw(img), 20, 90, s)
        return np.asarray(img) < 128

    e, e_dot = ink("ê"), ink("ệ")
    assert not np.array_equal(e, e_dot)
    assert e_dot[92:].any() and not e[92:].any()  # dot below the baseline
    assert ink("ả")[:58].any() and not ink("a")[:58].any()  # hook above the x-height


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_render_never_crashes(text: str) -> None:
    pages = render_document(text, dpi=20)
    assert pages and all(p.size == page_size_px(20) for p in pages)


# ------------------------------------------------------------------ PDF


def test_pdf_has_one_jpeg_per_page(tmp_path: Path) -> None:
    from pypdf import PdfReader

    pages = render_document((SRC / "bao-cao-phuong.txt").read_text(encoding="utf-8"), dpi=100)
    pages = [degrade(p, Degradation(rotation_deg=0.3), seed=i) for i, p in enumerate(pages)]
    path = tmp_path / "scan.pdf"
    save_pdf(pages, path, jpeg_quality=75)
    reader = PdfReader(path)
    assert len(reader.pages) == len(pages) == 2
    for page, img in zip(reader.pages, pages):
        xobjects = page["/Resources"]["/XObject"]
        assert len(xobjects) == 1
        obj = next(iter(xobjects.values())).get_object()
        assert obj["/Subtype"] == "/Image" and obj["/Filter"] == "/DCTDecode"
        assert (obj["/Width"], obj["/Height"]) == img.size
        assert len(page.images) == 1
        box = page.mediabox
        assert abs(float(box.width) - 595.28) < 1.5 and abs(float(box.height) - 841.89) < 1.5
        assert page.images[0].image.mode == "L"


# ------------------------------------------------------------------ degradation


def test_degradation_is_deterministic_per_seed() -> None:
    (page,) = render_document(DECISION, dpi=100)
    d = Degradation(rotation_deg=1.5, noise=6, blur=0.8, speckles=0.001, dark_border=5, jpeg_quality=70)
    a, b, c = degrade(page, d, seed=7), degrade(page, d, seed=7), degrade(page, d, seed=8)
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()
    assert a.size == page.size and a.mode == "L"
    assert np.asarray(page).tobytes() == np.asarray(render_document(DECISION, dpi=100)[0]).tobytes()


def test_degradation_options() -> None:
    (page,) = render_document(DECISION, dpi=100)
    half = degrade(page, Degradation(dpi=50), seed=1)
    assert half.size == page_size_px(50) or abs(half.size[0] - page_size_px(50)[0]) <= 1
    assert half.info["dpi"] == (50, 50)
    bw = degrade(page, Degradation(bitonal=True, noise=10), seed=1)
    assert bw.mode == "1"
    skew = degrade(page, Degradation(rotation_deg=3.0, dark_border=6, noise=0, speckles=0), seed=1)
    a = np.asarray(skew)
    assert a[0, -1] < 100 or a[-1, 0] < 100  # scanner bed visible in a corner


# ------------------------------------------------------------------ truth text


def test_truth_left_column_before_right() -> None:
    lines = _lines(LETTER)
    idx = {key: next(i for i, ln in enumerate(lines) if ln.startswith(key)) for key in (
        "UBND", "PHÒNG", "Số:", "V/v", "CỘNG HÒA", "Độc lập", "Minh Sơn, ngày", "Kính gửi", "Đề nghị",
        "Nơi nhận", "TL. CHỦ TỊCH", "Hà Văn Lâm",
    )}
    order = sorted(idx, key=idx.get)
    assert order == list(idx)  # issuer, number, V/v, motto, date, addressee, body, recipients, signature
    assert sorted(lines) == sorted(ln.strip() for ln in LETTER.splitlines() if ln.strip())


def test_truth_of_decision_matches_input_order() -> None:
    lines = _lines(DECISION)
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "XÃ THẠCH BÀN", "Số: 12/QĐ-UBND"]
    assert lines[3:6] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Thạch Bàn, ngày 05 tháng 3 năm 2025"]
    assert lines[6:] == [ln for ln in DECISION.splitlines()[6:] if ln]
    doc = parse_document(DECISION)
    assert doc.doc_type == ("QUYẾT ĐỊNH",)
    assert doc.subject == ("Về việc kiện toàn Ban chỉ đạo phổ cập giáo dục",)
    assert doc.signature == ("CHỦ TỊCH", "Đinh Công Sơn")
    assert doc.recipients[0] == "Nơi nhận:"


def test_truth_fallback_and_normalisation() -> None:
    text = "Một dòng văn bản\n\n  Dòng thứ hai  \n"
    assert truth_text(text) == "Một dòng văn bản\nDòng thứ hai\n"
    assert not parse_document(text).structured
    nfd = unicodedata.normalize("NFD", DECISION)
    assert truth_text(nfd) == truth_text(DECISION)


_SPECIAL = st.sampled_from([
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 1/BC-UBND",
    "Hà Nội, ngày 1 tháng 2 năm 2025", "V/v góp ý dự thảo", "BÁO CÁO", "Kính gửi:", "- Sở Nội vụ;",
    "Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An", "I. MỤC ĐÍCH",
    "1.1. Nội dung", "a) Yêu cầu", "Điều 1. Ban hành.", "",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_SPECIAL, st.text(st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Cc")), max_size=40)), max_size=25))
def test_truth_is_a_reordering_of_the_input_lines(lines: list[str]) -> None:
    text = "\n".join(lines)
    expected = sorted(ln.strip() for ln in unicodedata.normalize("NFC", text).splitlines() if ln.strip())
    assert sorted(truth_text(text).splitlines()) == expected


# ------------------------------------------------------------------ OCR


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_tesseract_vie_reads_the_type_line(tmp_path: Path) -> None:
    dpi = 300
    (page,) = render_document(DECISION, dpi=dpi)
    a = np.asarray(page)
    w, h = page.size
    # the type line is the first centred line below the header rows (in the top 30%)
    rows = np.nonzero((a[: int(h * 0.3)] < 128).any(axis=1))[0]
    bands, start = [], rows[0]
    for prev, cur in zip(rows, rows[1:]):
        if cur - prev > 12:
            bands.append((start, prev))
            start = cur
    bands.append((start, rows[-1]))
    centre = (30 + (210 - 15)) / 2 / 25.4 * dpi  # middle of the text area

    def is_type_line(band: tuple[int, int]) -> bool:
        cols = np.nonzero((a[band[0] : band[1] + 1] < 128).any(axis=0))[0]
        return band[1] - band[0] > 25 and cols.max() - cols.min() < 0.3 * w and abs(
            (cols.min() + cols.max()) / 2 - centre
        ) < 0.02 * w

    top, bottom = next(b for b in bands if is_type_line(b))  # first short centred text line
    cols = np.nonzero((a[top : bottom + 1] < 128).any(axis=0))[0]
    crop = page.crop((cols.min() - 60, top - 25, cols.max() + 60, bottom + 25))
    path = tmp_path / "type.png"
    crop.save(path, dpi=(dpi, dpi))
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "vie", "--psm", "6", "--dpi", str(dpi)],
        capture_output=True, check=True, env=env, timeout=60,
    ).stdout.decode("utf-8")
    assert "QUYẾT ĐỊNH" in unicodedata.normalize("NFC", out)
