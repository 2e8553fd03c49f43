"""Born-digital PDFs and other text layers, judged page by page before anything is OCR'd: PDFs the
project makes with reportlab (a word processor's export, an invisible OCR layer over a scan, white
and off-page text, a scanned paragraph pasted among the text), read through `vnocr process`."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from pipeline.image import textlayer
from pipeline.image.pdfium import Char, PageObjects
from pipeline.synth.digital import born_digital_pdf

from .conftest import HEADER, draw_page, load_valid_json, vnocr

LETTER = """ỦY BAN NHÂN DÂN
PHƯỜNG HÒA KHÁNH
Số: 57/TB-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hòa Khánh, ngày 9 tháng 5 năm 2025
THÔNG BÁO
Về việc tạm ngừng cấp nước sinh hoạt
Để phục vụ thi công tuyến ống chính trên đường Nguyễn Lương Bằng, Ủy ban nhân dân phường thông báo tạm ngừng cấp nước từ 8 giờ đến 17 giờ ngày 12 tháng 5 năm 2025.
Các hộ gia đình chủ động dự trữ nước; mọi thắc mắc xin liên hệ số điện thoại 0236.3842.117.
Nơi nhận:
- Các tổ dân phố;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Lê Văn Thành
"""
PASTED = "Danh sách các tuyến đường bị ảnh hưởng được niêm yết tại trụ sở phường"


def words_of(data: dict) -> list[dict]:
    return [w for page in data["pages"] for line in page["lines"] for w in line["words"]]


def decision(data: dict, number: int = 1) -> dict:
    return data["pages"][number - 1]["text_layer"]["decision"]


@pytest.fixture(scope="module")
def letter_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("digital") / "thong-bao.pdf"
    born_digital_pdf(LETTER, path)
    return path


def test_born_digital_text_is_read_from_the_layer(letter_pdf, tmp_path):
    result = vnocr("process", str(letter_pdf), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    data = load_valid_json(tmp_path / "thong-bao.json")
    assert decision(data) == {**decision(data), "read": "text-layer"}
    assert decision(data)["evidence"]["readable"] == 1.0
    words = words_of(data)
    assert {w["source"] for w in words} == {"text-layer"}
    assert all(w["conf"] == 1.0 and not w["flag"] and w["bbox"] for w in words)
    text = " ".join((tmp_path / "thong-bao.txt").read_text("utf-8").split())
    for line in LETTER.splitlines():
        assert line in text  # exact, in the layer's order, nothing repaired (lines wrapped on the page)
    assert text.index("Để phục vụ") < text.index("Các hộ gia đình") < text.index("Lê Văn Thành")
    structure = data["structure"]
    assert structure["number"]["text"] == "57/TB-UBND"
    assert structure["date"] == "2025-05-09"
    assert structure["doc_type"] == "THÔNG BÁO"
    assert data["pages"][0]["image"]  # the clerks still see the page


def test_ocr_always_reads_the_image_instead(letter_pdf, tmp_path):
    result = vnocr("process", str(letter_pdf), "-o", str(tmp_path), "--ocr", "always")
    assert result.returncode == 0, result.stderr
    data = load_valid_json(tmp_path / "thong-bao.json")
    assert decision(data)["read"] == "ocr" and "--ocr always" in decision(data)["reason"]
    assert {w["source"] for w in words_of(data)} <= {"ocr", "repair"}
    assert "Hòa Khánh" in data["text"]


def _scan_with_layer(path: Path, text: str, mode: int, colour: tuple[float, float, float] = (0, 0, 0), y: float = 700) -> None:
    """A one-page PDF: the header page as a full-page scan, `text` drawn over it in render `mode`."""
    buffer = io.BytesIO()
    draw_page(HEADER).save(buffer, "PNG")
    buffer.seek(0)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(buffer), 0, 0, *A4)
    layer = pdf.beginText(72, y)
    layer.setTextRenderMode(mode)
    layer.setFillColorRGB(*colour)
    layer.textLine(text)
    pdf.drawText(layer)
    pdf.save()


def test_another_engines_invisible_layer_is_kept_for_comparison_only(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _scan_with_layer(src / "old-ocr.pdf", "UY BAN NHAN DAN S6: 125/BC-UBND", mode=3)
    result = vnocr("process", str(src), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    data = load_valid_json(tmp_path / "out" / "old-ocr.json")
    page = data["pages"][0]
    assert page["text_layer"]["kind"] == "ocr-layer"
    assert page["text_layer"]["text"] == "UY BAN NHAN DAN S6: 125/BC-UBND"
    assert decision(data)["read"] == "ocr"
    assert "S6" not in data["text"] and "Số: 125/BC-UBND" in data["text"]


def test_white_text_on_a_drawn_page_is_not_taken_for_its_text(tmp_path):
    pdf = canvas.Canvas(str(tmp_path / "white.pdf"), pagesize=A4)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.drawString(72, 700, "văn bản ẩn không ai nhìn thấy")
    pdf.setFillColorRGB(0, 0, 0)
    pdf.rect(72, 400, 300, 100)
    pdf.save()
    result = vnocr("process", str(tmp_path / "white.pdf"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    data = load_valid_json(tmp_path / "out" / "white.json")
    assert decision(data)["read"] == "ocr"
    assert "white" in decision(data)["reason"] and decision(data)["evidence"]["hidden"] == {"white": 23}
    assert "ẩn" not in data["text"]


def test_a_scanned_paragraph_pasted_among_the_text_is_ocred_in_its_place(tmp_path):
    pasted = draw_page([(40, 30, PASTED, False)], size=(2000, 130))
    born_digital_pdf(LETTER, tmp_path / "mixed.pdf", scan_box=pasted)
    result = vnocr("process", str(tmp_path / "mixed.pdf"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    data = load_valid_json(tmp_path / "out" / "mixed.json")
    assert decision(data)["read"] == "text-layer+ocr"
    sources = {w["source"] for w in words_of(data)}
    assert "text-layer" in sources and sources & {"ocr", "repair"}
    text = data["text"]
    assert "niêm yết tại trụ sở phường" in text
    assert text.index("Để phục vụ") < text.index("niêm yết") < text.index("Các hộ gia đình")


def test_ocr_never_reports_pages_without_a_layer(letter_pdf, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _scan_with_layer(src / "scan.pdf", "x", mode=3)
    (src / "thong-bao.pdf").write_bytes(letter_pdf.read_bytes())
    result = vnocr("process", str(src), "-o", str(tmp_path / "out"), "--ocr", "never")
    assert result.returncode == 0, result.stderr
    scan = load_valid_json(tmp_path / "out" / "scan.json")
    assert scan["pages"][0]["lines"] == []
    assert "--ocr never" in scan["pages"][0]["warnings"][0]
    letter = load_valid_json(tmp_path / "out" / "thong-bao.json")
    assert "Lê Văn Thành" in letter["text"]


def _chars(text: str, x: float, y: float, size: float = 12, hidden: str | None = None) -> list[Char]:
    chars = []
    for ch in text:
        if ch == " ":
            chars.append(Char(" ", (x, y, x + size / 4, y + size), "", space=True))
        else:
            chars.append(Char(ch, (x, y, x + size / 2, y + size), "Serif", hidden=hidden))
        x += size / 2
    return chars + [Char(" ", (x, y, x, y + size), "", space=True, newline=True)]


def test_a_layer_covering_few_of_the_pages_letters_is_not_trusted():
    """One visible line in the layer; the page's image (1 pixel per point) shows ten lines of letters."""
    gray = np.full((842, 595), 255, np.uint8)
    for row in range(10):
        for col in range(40):
            gray[100 + row * 20 : 110 + row * 20, 72 + col * 8 : 77 + col * 8] = 0
    objects = PageObjects(595, 842, 0, _chars("một dòng duy nhất", 72, 100, size=10))
    found = textlayer.judge(objects, gray, 1.0)
    assert found.read == "ocr" and "outside the text layer" in found.reason
    assert found.evidence["uncovered"] > 0.8


def test_garbage_in_the_layer_sends_the_page_to_ocr():
    objects = PageObjects(595, 842, 0, _chars("¤¢ ¥§ Ð¿ ¶« ©¬ ®¯ ±² ³´", 72, 100))
    found = textlayer.judge(objects, None, 1.0)
    assert found.read == "ocr" and found.evidence["readable"] < 0.6


def test_layer_lines_split_words_at_spaces_and_paragraphs_at_gaps():
    chars = _chars("Điều 1. Phạm vi", 72, 100) + _chars("áp dụng cho phường", 72, 114) + _chars("Điều 2. Hiệu lực", 72, 160)
    lines = textlayer.layer_lines(chars)
    assert [[w[0] for w in line.words] for line in lines] == [["Điều", "1.", "Phạm", "vi"], ["áp", "dụng", "cho", "phường"], ["Điều", "2.", "Hiệu", "lực"]]
    assert [line.paragraph for line in lines] == [1, 1, 2]


def test_off_page_and_invisible_characters_count_as_hidden():
    objects = PageObjects(595, 842, 0, _chars("ngoài trang", 72, 900, hidden="off-page") + _chars("vô hình", 72, 100, hidden="invisible"))
    found = textlayer.judge(objects, None, 1.0)
    assert found.read == "ocr" and found.evidence["hidden"] == {"off-page": 10, "invisible": 6}


def test_a_layer_pdfium_cannot_read_leaves_the_page_to_ocr(letter_pdf, monkeypatch) -> None:
    """Fault injected: pdfium fails on the page's objects (a PDF it reads worse than poppler): the page is
    rendered by poppler and OCR'd, the reason recorded, nothing lost."""
    from pipeline.errors import InputError
    from pipeline.flow import read_document
    from pipeline.image import pdfium
    from pipeline.settings import Settings

    def broken(pdf, index):
        raise InputError(f"page {index + 1}: pdfium cannot read its objects (injected)")

    monkeypatch.setattr(pdfium, "page_objects", broken)
    doc = read_document(letter_pdf, Settings(page_images=False))
    decision = doc.pages[0].text_layer["decision"]
    assert decision["read"] == "ocr" and "injected" in decision["reason"]
    assert doc.pages[0].preprocess["raster"] == "rendered" and "Hòa Khánh" in doc.text
