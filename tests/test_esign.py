"""E-signature boxes (`Ký bởi: ...`, `Cơ quan: ...`, `Thời gian ký: ...`): parsed from the lines as printed or
as an OCR reads them; found in a PDF's text layer (vector text over a scanned page, made here with
reportlab) and in the page image (read by Tesseract); kept out of the header, body and text; the
signing day standing in for a date line that gives none. Real files through `vnocr process`."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipeline.flow import text_pages
from pipeline.image.poppler import TextBlock, text_blocks
from pipeline.layout import esign
from pipeline.layout.structure import structure_document
from pipeline.model import Document, Line, Page, SourceInfo, Word
from pipeline.outputs import write_document

from .conftest import FONT_DIR, HEADER, draw_page, load_valid_json

# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "lines, signer, organization, email, time",
    [
        (  # the Quảng Ngãi shape: the signer is the agency, no offset on the time
            ["Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi", "Cơ quan: Tỉnh Quảng Ngãi", "Thời gian ký: 24/01/2025 14:23:43"],
            "Ủy ban nhân dân tỉnh Quảng Ngãi", "Tỉnh Quảng Ngãi", None, "2025-01-24T14:23:43",
        ),
        (  # a person, with e-mail and offset
            ["Người ký: Nguyễn Văn An", "Email: annv@quangngai.gov.vn", "Cơ quan: Sở Tài chính",
             "Thời gian ký: 04.05.2026 09:44:21 +07:00"],
            "Nguyễn Văn An", "Sở Tài chính", "annv@quangngai.gov.vn", "2026-05-04T09:44:21+07:00",
        ),
        (  # as an OCR without Vietnamese reads it: no marks at all
            ["Ky boi: UY BAN NHAN DAN TINH QUANG NGAI", "Co quan: Tinh Quang Ngai", "Thoi gian ky: 04.05.2026 09:44:21 +07:00"],
            "UY BAN NHAN DAN TINH QUANG NGAI", "Tinh Quang Ngai", None, "2026-05-04T09:44:21+07:00",
        ),
        (  # in capitals, E-mail with a hyphen, no space after the colons
            ["NGƯỜI KÝ:Sở Nội vụ", "E-mail:snv@danang.gov.vn", "CƠ QUAN:Thành phố Đà Nẵng", "THỜI GIAN KÝ:31.12.2019 16:05:09 +07:00"],
            "Sở Nội vụ", "Thành phố Đà Nẵng", "snv@danang.gov.vn", "2019-12-31T16:05:09+07:00",
        ),
        (  # all on one line, as a merged OCR line gives it
            ["Ký bởi: Văn phòng Ủy ban nhân dân Thời gian ký: 04-05-2026 09:44"],
            "Văn phòng Ủy ban nhân dân", None, None, "2026-05-04T09:44:00",
        ),
        (  # unlabelled: agency, e-mail, time
            ["TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", "ttcbth@quangngai.gov.vn", "24.01.2025 20:06:24 +07:00"],
            "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", "ttcbth@quangngai.gov.vn", "2025-01-24T20:06:24+07:00",
        ),
        (  # the same from a scan, its @ misread: the address is no part of the agency's name
            ["TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", "ttcbth()quangngai.gov.vn", "24.01.2025 20:06:24 +07:00"],
            "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", None, "2025-01-24T20:06:24+07:00",
        ),
        (  # labelled, the Email label lost: the address is not the signer's
            ["Ký bởi: Sở Tài chính", "snv(đquangngai,gov.vn", "Thời gian ký: 04.05.2026 09:44:21 +07:00"],
            "Sở Tài chính", None, None, "2026-05-04T09:44:21+07:00",
        ),
    ],
)
def test_parse_box(lines, signer, organization, email, time) -> None:
    assert esign.is_esignature(" ".join(lines))
    sig = esign.parse(lines, 2, (10, 20, 300, 90), "ocr", ["p2-l1"])
    assert (sig.signer, sig.organization, sig.email, sig.time) == (signer, organization, email, time)
    assert (sig.page, sig.bbox, sig.source, sig.text, sig.lines) == (2, (10, 20, 300, 90), "ocr", lines, ["p2-l1"])


@pytest.mark.parametrize(
    "text, iso",
    [
        ("Thời gian ký: 04.05.2026 09:44:21 +07:00", "2026-05-04T09:44:21+07:00"),
        ("04.05.2026 09:44:21+0700", "2026-05-04T09:44:21+07:00"),
        ("24/01/2025 14:23:43", "2025-01-24T14:23:43"),
        ("4-5-2026, 9h44", "2026-05-04T09:44:00"),
        ("31.12.2019 23:59:59 -05:00", "2019-12-31T23:59:59-05:00"),
        ("32.01.2026 10:00:00", None),
        ("04.13.2026 10:00:00", None),
        ("04.05.2026 24:00:00", None),
        ("ngày 04 tháng 5 năm 2026", None),
    ],
)
def test_iso_time(text: str, iso: str | None) -> None:
    assert esign.iso_time(text) == iso


@pytest.mark.parametrize("text", ["30.02.2026 09:44:21 +07:00", "31.04.2025 10:00:00", "29.02.2025 08:00:00"])
def test_iso_time_refuses_days_the_month_lacks(text: str) -> None:
    """A day the month has not (an OCR reading 28 as 29 or 30) makes no time, as in the date line."""
    assert esign.iso_time(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Ủy ban nhân dân phường báo cáo kết quả thực hiện như sau:",
        "An Bình, ngày 14 tháng 3 năm 2025",
        "Số: 125/BC-UBND",
        "Nơi nhận: - UBND quận; - Lưu: VT.",
        "Văn bản được đăng Công báo tỉnh theo quy định.",
    ],
)
def test_ordinary_lines_are_not_esignatures(text: str) -> None:
    assert not esign.is_esignature(text)


@pytest.mark.parametrize(
    "text", ["TRUNG TÂM CÔNG BÁO", "RUNG TÂM CÔNG BÁO", "ÂM CÔNG BẢO <ˆ + Cũng", "TY, BẢO VÀ TÍN HỌC", "22À KH BẢO VÀ TIN HỌC"]
)
def test_the_gazette_office_names_its_box_when_its_first_letters_are_lost(text: str) -> None:
    """A 72- or 100-dpi page loses the first letters of the small print (`ÂM CÔNG BẢO` for TRUNG TÂM CÔNG BÁO),
    or its middle (`TRUNG TÂM CÔNG | TY, BẢO VÀ TÍN HỌC`)."""
    assert esign.is_esignature(text)


def test_text_layer_kinds() -> None:
    box = TextBlock((400.0, 20.0, 527.0, 57.0), ["Ký bởi: Sở Tài chính", "Thời gian ký: 04.05.2026 09:44:21 +07:00"])
    other = TextBlock((50.0, 100.0, 500.0, 120.0), ["Ủy ban nhân dân phường báo cáo kết quả như sau:"])
    assert esign.text_layer([], 1, 1.0, True) == {"kind": "none"}
    only = esign.text_layer([box], 3, 300 / 72, True)
    assert only["kind"] == "e-signature" and "text" not in only
    (sig,) = only["e_signatures"]
    assert sig["bbox"] == (1667, 83, 2196, 238) and sig["page"] == 3 and sig["source"] == "text-layer"
    assert (sig["signer"], sig["time"]) == ("Sở Tài chính", "2026-05-04T09:44:21+07:00")
    over_scan = esign.text_layer([box, other], 1, 1.0, True)
    assert over_scan["kind"] == "ocr-layer" and over_scan["text"] == other.lines[0]
    assert len(over_scan["e_signatures"]) == 1
    assert esign.text_layer([other], 1, 1.0, False)["kind"] == "born-digital"


# --------------------------------------------------------------------------- documents


BODY = [
    "Thực hiện chỉ đạo của Ủy ban nhân dân thành phố về công tác cải cách",
    "hành chính, phường đã triển khai kế hoạch đến các khu phố và tổ dân phố.",
    "Kết quả giải quyết hồ sơ thủ tục hành chính đúng hạn đạt tỷ lệ cao,",
    "người dân hài lòng với thái độ phục vụ của cán bộ tiếp nhận hồ sơ.",
]
FOOTER = [
    (1500, 1400, "TM. ỦY BAN NHÂN DÂN", True),
    (1620, 1470, "CHỦ TỊCH", True),
    (1530, 1750, "Nguyễn Văn Bình", True),
]
DATE_LINE = "An Bình, ngày 14 tháng 3 năm 2025"
BOX = [
    "Người ký: Ủy ban nhân dân phường An Bình",
    "Email: ubndanbinh@hcm.gov.vn",
    "Cơ quan: Thành phố Hồ Chí Minh",
    "Thời gian ký: 04.05.2026 09:44:21 +07:00",
]
IMAGE_BOX = ["Ký bởi: Ủy ban nhân dân phường An Bình", "Cơ quan: Thành phố Hồ Chí Minh", "Thời gian ký: 04.05.2026 09:44:21 +07:00"]
SIGNER, ORGANIZATION, EMAIL, TIME = "Ủy ban nhân dân phường An Bình", "Thành phố Hồ Chí Minh", "ubndanbinh@hcm.gov.vn", "2026-05-04T09:44:21+07:00"
BOX_TOP_RIGHT_PT = (400, 20)  # the vector box's top left corner, points from the page's top left


def document_page(date_line: str | None = DATE_LINE) -> Image.Image:
    """A one-page báo cáo at 300 dpi; `date_line` replaces the place-and-date line (None: no such line)."""
    lines = [line for line in HEADER if line[2] != DATE_LINE]
    if date_line:
        lines.append((1350, 440, date_line, False))
    lines += [(350, 950 + 75 * i, text, False) for i, text in enumerate(BODY)] + FOOTER
    return draw_page(lines)


_FONT = "LiberationSerif-vnocr-test"


def esigned_pdf(path: Path, page: Image.Image, scan_dpi: int = 300, leading: float = 9.0, whole: bool = True) -> None:
    """A PDF page holding `page` as one full-page scan (embedded at `scan_dpi`; not `whole`: its top nine tenths
    only, which fill no page and so are rendered, not extracted) and, over its top right, an e-signature box as
    vector text (7 pt, `leading` points from line to line) in a frame."""
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT, str(FONT_DIR / "LiberationSerif-Regular.ttf")))
    width, height = A4
    if scan_dpi != 300:
        page = page.resize((round(page.width * scan_dpi / 300), round(page.height * scan_dpi / 300)), Image.LANCZOS)
    kept = 1.0 if whole else 0.9
    page = page.crop((0, 0, page.width, round(page.height * kept)))
    buf = io.BytesIO()
    page.save(buf, "PNG")
    buf.seek(0)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(buf), 0, height * (1 - kept), width, height * kept)
    x, top = BOX_TOP_RIGHT_PT[0], height - BOX_TOP_RIGHT_PT[1]
    pdf.setStrokeColorRGB(0.1, 0.3, 0.8)
    pdf.rect(x - 4, top - 6 - leading * len(BOX), 190, leading * len(BOX) + 8)
    pdf.setFont(_FONT, 7)
    for i, text in enumerate(BOX):
        pdf.drawString(x, top - 7 - leading * i, text)
    pdf.showPage()
    pdf.save()


def esigned_image(page: Image.Image, x: int, y: int) -> Image.Image:
    """`page` with an e-signature box printed into it (small sans text in a frame) at (x, y)."""
    page = page.copy()
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSans-Regular.ttf"), 30)
    step = 40
    draw.rectangle((x - 20, y - 15, x + 800, y + step * len(IMAGE_BOX) + 10), outline=0, width=3)
    for i, text in enumerate(IMAGE_BOX):
        draw.text((x, y + step * i), text, font=font, fill=0)
    return page


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    """One `vnocr process` over every e-signed document of these tests."""
    src = tmp_path_factory.mktemp("esign-in")
    esigned_pdf(src / "vector.pdf", document_page())
    esigned_pdf(src / "vector-nodate.pdf", document_page(None))
    esigned_pdf(src / "rendered.pdf", document_page(), scan_dpi=100, whole=False)  # rendered, box and all
    esigned_pdf(src / "spaced.pdf", document_page(), leading=14.0)
    esigned_image(document_page(), 1620, 50).save(src / "image.png", dpi=(300, 300))
    blank_date = document_page("An Bình, ngày        tháng        năm 2025")
    esigned_image(blank_date, 1600, 1900).save(src / "image-blank-date.png", dpi=(300, 300))
    out = tmp_path_factory.mktemp("esign-out")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "process", str(src), "-o", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out


def only_signature(data: dict) -> dict:
    signatures = data["structure"]["e_signatures"]
    assert len(signatures) == 1, signatures
    return signatures[0]


def header_and_footer_texts(structure: dict) -> str:
    """Every text the header and footer fields hold."""
    parts = [
        *structure["issuer"]["lines"],
        structure["motto"]["national"] or "",
        structure["motto"]["slogan"] or "",
        (structure["number"] or {}).get("printed") or "",
        structure["date_line"] or "",
        structure["subject"] or "",
        *structure["signature"]["lines"],
        *structure["unplaced"],
    ]
    return "\n".join(parts)


def assert_kept_out(out: Path, stem: str, data: dict) -> None:
    text = (out / f"{stem}.txt").read_text("utf-8")
    fields = header_and_footer_texts(data["structure"])
    for piece in ("Thời gian ký", "Người ký", "Ký bởi", "Cơ quan", "ubndanbinh", "09:44"):
        assert piece not in text, text
        assert piece not in fields, fields
    assert "Ủy ban nhân dân phường báo cáo kết quả thực hiện như sau:" in text
    assert "Nguyễn Văn Bình" in text


def test_vector_box_over_a_scan(processed: Path) -> None:
    data = load_valid_json(processed / "vector.json")
    page = data["pages"][0]
    assert page["preprocess"]["raster"] == "extracted"
    assert page["text_layer"]["kind"] == "e-signature" and "text" not in page["text_layer"]
    sig = only_signature(data)
    assert sig["source"] == "text-layer" and sig["page"] == 1
    assert (sig["signer"], sig["organization"], sig["email"], sig["time"]) == (SIGNER, ORGANIZATION, EMAIL, TIME)
    assert sig["text"] == BOX
    assert page["text_layer"]["e_signatures"] == [{**sig, "lines": []}]
    x0, y0, x1, y1 = sig["bbox"]  # in the page image's pixels: 300/72 per point
    assert abs(x0 - BOX_TOP_RIGHT_PT[0] * 300 / 72) < 15 and abs(y0 - BOX_TOP_RIGHT_PT[1] * 300 / 72) < 25
    assert x1 <= page["width"] and y1 < 300
    assert data["structure"]["date"] == "2025-03-14" and data["structure"]["date_from"] == "date line"
    assert_kept_out(processed, "vector", data)


def test_vector_box_over_a_rendered_page_is_not_read_twice(processed: Path) -> None:
    """A scan that fills no page is rendered with the box on it: the OCR'd box lines are the text layer's."""
    data = load_valid_json(processed / "rendered.json")
    page = data["pages"][0]
    assert page["preprocess"]["raster"] == "rendered"
    sig = only_signature(data)
    assert sig["source"] == "text-layer"
    assert (sig["signer"], sig["organization"], sig["email"], sig["time"]) == (SIGNER, ORGANIZATION, EMAIL, TIME)
    assert len(sig["lines"]) >= 3, sig  # the box's OCR'd lines, taken out of the reading
    ids = {line["id"]: " ".join(word["text"] for word in line["words"]) for line in page["lines"]}
    assert all(line_id in ids for line_id in sig["lines"])
    assert any("ubndanbinh" in ids[line_id] or "09:44" in ids[line_id] for line_id in sig["lines"])
    assert_kept_out(processed, "rendered", data)


def test_vector_box_with_loose_lines_is_one_box(processed: Path) -> None:
    """Lines twice the font size apart (poppler gives each its own block) are still one box."""
    data = load_valid_json(processed / "spaced.json")
    page = data["pages"][0]
    assert page["text_layer"]["kind"] == "e-signature", page["text_layer"]
    sig = only_signature(data)
    assert (sig["signer"], sig["organization"], sig["email"], sig["time"]) == (SIGNER, ORGANIZATION, EMAIL, TIME)


def test_box_in_the_image_is_read_by_ocr(processed: Path) -> None:
    data = load_valid_json(processed / "image.json")
    page = data["pages"][0]
    assert page["text_layer"].get("kind", "none") == "none"  # an image has no text layer
    sig = only_signature(data)
    assert sig["source"] == "ocr" and sig["page"] == 1
    assert (sig["signer"], sig["organization"], sig["email"], sig["time"]) == (SIGNER, ORGANIZATION, None, TIME)
    x0, y0, x1, y1 = sig["bbox"]
    assert 1550 < x0 < 1700 and 20 < y0 < 100 and 1900 < x1 < 2450 and 120 < y1 < 250
    box_lines = [" ".join(w["text"] for w in line["words"]) for line in page["lines"] if line["id"] in sig["lines"]]
    assert len(box_lines) == 3 and any("Thời gian ký" in line for line in box_lines), box_lines
    assert data["structure"]["date"] == "2025-03-14" and data["structure"]["date_from"] == "date line"
    assert data["structure"]["issuer"]["name"] == "ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH"
    assert data["structure"]["motto"]["national"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert_kept_out(processed, "image", data)


def test_date_from_the_signing_time_when_the_page_has_no_date_line(processed: Path) -> None:
    data = load_valid_json(processed / "vector-nodate.json")
    structure = data["structure"]
    assert structure["date_line"] is None
    assert structure["date"] == "2026-05-04" and structure["date_from"] == "e-signature"
    assert structure["number"]["printed"] == "Số: 125/BC-UBND"


def test_date_from_the_signing_time_when_the_date_is_left_blank(processed: Path) -> None:
    """`ngày ... tháng ... năm 2025` left blank (the usual on a signed-electronically document): the box's day."""
    data = load_valid_json(processed / "image-blank-date.json")
    structure = data["structure"]
    assert structure["date_line"] and "tháng" in structure["date_line"] and "2025" in structure["date_line"]
    assert structure["date"] == "2026-05-04" and structure["date_from"] == "e-signature"
    sig = only_signature(data)
    assert sig["source"] == "ocr" and sig["time"] == TIME
    assert_kept_out(processed, "image-blank-date", data)


# --------------------------------------------------------------------------- the structure hook, without OCR


def signed_text_document(time_line: str, header: str = "ỦY BAN NHÂN DÂN\nPHƯỜNG AN BÌNH\nSố: 125/BC-UBND\n\nBÁO CÁO\n") -> Document:
    """A text document whose page carries an e-signature box in its text layer (as a PDF would)."""
    pages = text_pages(header + "\nỦy ban nhân dân phường báo cáo kết quả thực hiện như sau:\n")
    box = TextBlock((400.0, 20.0, 527.0, 57.0), ["Ký bởi: Ủy ban nhân dân phường An Bình", time_line])
    pages[0].text_layer = esign.text_layer([box], 1, 300 / 72, True)
    doc = Document(SourceInfo("doc.pdf", "doc.pdf", "0" * 64, "pdf", 100, 1), pages, {}, {})
    return structure_document(doc)


def test_date_fallback_from_a_text_layer(tmp_path: Path) -> None:
    doc = signed_text_document("Thời gian ký: 04.05.2026 09:44:21 +07:00")
    assert doc.structure["date"] == "2026-05-04" and doc.structure["date_from"] == "e-signature"
    assert doc.structure["e_signatures"][0]["signer"] == SIGNER
    write_document(doc, tmp_path / "doc.json")  # validates against the schema
    load_valid_json(tmp_path / "doc.json")
    with_date = signed_text_document("Thời gian ký: 04.05.2026 09:44:21", header=f"{DATE_LINE}\nSố: 125/BC-UBND\n")
    assert with_date.structure["date"] == "2025-03-14" and with_date.structure["date_from"] == "date line"
    unsigned_time = signed_text_document("Cơ quan: Thành phố Hồ Chí Minh")
    assert unsigned_time.structure["date"] is None and unsigned_time.structure["date_from"] is None


def test_a_line_spelling_the_signer_but_for_a_mark_takes_the_text_layers_marks() -> None:
    doc = signed_text_document("Thời gian ký: 04.05.2026 09:44:21", header="ỦY BAN NHÂN DÂN PHUỜNG AN BINH\nSố: 125/BC-UBND\n\nBÁO CÁO\n")
    assert doc.structure["issuer"]["name"] == "ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH"
    changed = [w for w in doc.words() if w.history]
    assert [(w.history[0].text, w.text, w.source) for w in changed] == [("PHUỜNG", "PHƯỜNG", "repair"), ("BINH", "BÌNH", "repair")]
    other = signed_text_document("Thời gian ký: 04.05.2026 09:44:21", header="ỦY BAN NHÂN DÂN PHƯỜNG AN BINHS\nSố: 125/BC-UBND\n")
    assert not any(w.history for w in other.words())  # another name: left as read


def test_date_fallback_never_writes_an_impossible_date(tmp_path: Path) -> None:
    """A signing time on a day its month lacks (an OCR misreading 28 as 30) gives no date, and a valid document."""
    doc = signed_text_document("Thời gian ký: 30.02.2026 09:44:21 +07:00")
    assert doc.structure["date"] is None, doc.structure["date"]
    write_document(doc, tmp_path / "doc.json")


def test_impossible_signing_day_beside_a_handwritten_date_does_not_fail_the_document() -> None:
    """A handwritten day on the date line is checked against the signing day: an impossible signing
    day must not stop the document (it raised `ValueError: day is out of range for month`)."""
    pages = text_pages(f"ỦY BAN NHÂN DÂN\n{DATE_LINE}\nSố: 125/BC-UBND\n\nBÁO CÁO\n")
    (day,) = [word for line in pages[0].lines for word in line.words if word.text == "14"]
    day.fill_in, day.source = "day", "ocr"  # as the digit reader leaves a handwritten day
    box = TextBlock((400.0, 20.0, 527.0, 57.0), ["Ký bởi: Ủy ban nhân dân phường An Bình", "Thời gian ký: 30.02.2026 09:44:21"])
    pages[0].text_layer = esign.text_layer([box], 1, 1.0, True)
    doc = structure_document(Document(SourceInfo("doc.pdf", "doc.pdf", "0" * 64, "pdf", 100, 1), pages, {}, {}))
    assert doc.structure["date"] == "2025-03-14"


@pytest.mark.parametrize("signed,date,source", [("10.03.2025", "2025-03-10", "e-signature"), ("10.03.2035", "2025-03-14", "handwriting")])
def test_a_handwritten_day_that_does_not_fit_the_signing_day_gives_way_unless_the_signing_year_is_misread(
    signed: str, date: str, source: str
) -> None:
    pages = text_pages(f"ỦY BAN NHÂN DÂN\n{DATE_LINE}\nSố: 125/BC-UBND\n\nBÁO CÁO\n")
    (day,) = [word for line in pages[0].lines for word in line.words if word.text == "14"]
    day.fill_in, day.source = "day", "ocr"
    box = TextBlock((400.0, 20.0, 527.0, 57.0), ["Ký bởi: Ủy ban nhân dân phường An Bình", f"Thời gian ký: {signed} 09:44:21"])
    pages[0].text_layer = esign.text_layer([box], 1, 1.0, True)
    doc = structure_document(Document(SourceInfo("doc.pdf", "doc.pdf", "0" * 64, "pdf", 100, 1), pages, {}, {}))
    assert (doc.structure["date"], doc.structure["date_from"]) == (date, source)


def test_poppler_reads_the_box_as_one_block(tmp_path: Path) -> None:
    esigned_pdf(tmp_path / "box.pdf", document_page())
    blocks = text_blocks(tmp_path / "box.pdf", 1)
    assert [block.lines for block in blocks] == [BOX]
    x0, y0, _, _ = blocks[0].bbox
    assert abs(x0 - BOX_TOP_RIGHT_PT[0]) < 2 and abs(y0 - BOX_TOP_RIGHT_PT[1]) < 5
    assert text_blocks(tmp_path / "missing.pdf", 1) == []


def test_the_gazettes_box_read_without_its_email_and_time_is_a_box_with_its_garbled_print() -> None:
    def line(k: int, text: str, box: tuple[int, int, int, int]) -> Line:
        return Line(f"p1-l{k}", 1, [Word(f"p1-w{k}{i}", t, t, 0.9, 1, f"p1-l{k}") for i, t in enumerate(text.split())], box)

    body = [line(10 + k, "Quảng Ngãi, ngày 24 tháng 01 năm 2025 về việc thụ lý giải quyết", (400, 400 + 70 * k, 2200, 462 + 70 * k))
            for k in range(6)]
    box = [line(1, "TRUNG TÂM CÔNG BÁO", (1425, 13, 1789, 59)), line(2, "VÀ TIN HỌC", (1427, 54, 1607, 84)),
           line(3, "01 2055 0 Ä0r0),+01700", (1427, 83, 1793, 160))]
    motto = line(4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", (1083, 170, 2193, 230))
    (found,) = esign.ocr_boxes(Page(1, [*box, motto, *body]))
    assert found.lines == ["p1-l1", "p1-l2", "p1-l3"] and found.signer == "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC"
    assert esign.ocr_boxes(Page(1, [line(3, "01 2055 0 Ä0r0),+01700", (1427, 83, 1793, 160)), motto, *body])) == []


def test_a_box_line_made_tall_by_a_seal_s_mark_is_small_print_by_its_words() -> None:
    """At 100 dpi the seal's edge is read into the gazette's first line (`ÂM CÔNG BẢO <ˆ`), and its address line
    comes out as tall as the body's: their words are small, so they open and join the box."""
    def line(k: int, words: list[tuple[str, int]], x: int, y: int) -> Line:
        placed, left = [], x
        for i, (text, height) in enumerate(words):
            placed.append(Word(f"p1-w{k}{i}", text, text, 0.9, 1, f"p1-l{k}", (left, y, left + 20 * len(text), y + height)))
            left += 20 * len(text) + 10
        return Line(f"p1-l{k}", 1, placed, (x, y, left, y + max(h for _, h in words)))

    body = [line(10 + k, [(w, 30) for w in "Quảng Ngãi, ngày 24 tháng 01 năm 2025 về việc thụ lý".split()], 200, 400 + 50 * k) for k in range(6)]
    gazette = line(1, [("ÂM", 22), ("CÔNG", 15), ("BẢO", 15), ("<ˆ", 33)], 780, 0)
    address = line(2, [("Địa", 16), ("chỉ:", 16), ("1A", 14), ("Nguyễn", 16), ("Công", 16), ("Trứ", 32)], 780, 38)
    motto = line(3, [(w, 30) for w in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".split()], 500, 120)
    (found,) = esign.ocr_boxes(Page(1, [gazette, address, motto, *body]))
    assert found.lines == ["p1-l1", "p1-l2"]


def test_a_box_on_a_one_bit_scan_keeps_out_the_letters_header_printed_as_small() -> None:
    """On a 200-dpi 1-bit scan the header's lines come out as small as the box's print: the box, grown line by
    line, took the national title, the motto, the date line, then the issuer and the number through them, and the
    header was lost. The letter's own header lines never join a box, and a box spans at most BOX_WIDTH of the page."""
    def line(k: int, text: str, box: tuple[int, int, int, int]) -> Line:
        return Line(f"p1-l{k}", 1, [Word(f"p1-w{k}{i}", t, t, 0.9, 1, f"p1-l{k}") for i, t in enumerate(text.split())], box)

    header = [line(1, "ỦY BAN NHÂN DÂN", (226, 118, 564, 156)), line(2, "TỈNH QUẢNG NGÃI", (226, 162, 563, 202)),
              line(3, "Số: 08 /CT-UBND", (230, 227, 554, 263)), line(4, "Trung tâm Công báo và Tin học", (1030, 24, 1389, 50)),
              line(5, "xe mục te 04.04.2018 14:21:14 +07:00", (905, 81, 1348, 101)),
              line(6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", (699, 112, 1443, 157)), line(7, "Độc lập - Tự do - Hạnh phúc", (846, 163, 1287, 198)),
              line(8, "Quảng Ngãi, ngày 03 tháng 4 năm 2018", (798, 225, 1382, 262)), line(9, "CHỈ THỊ", (758, 286, 909, 329))]
    body = [line(20 + k, "đối với các dự án đầu tư bằng nguồn vốn ngoài ngân sách Nhà nước, tạo sự", (201, 555 + 45 * k, 1470, 610 + 45 * k))
            for k in range(30)]
    (found,) = esign.ocr_boxes(Page(1, [*header, *body], width=1654))
    assert found.lines == ["p1-l4", "p1-l5"] and found.time == "2018-04-04T14:21:14+07:00"


def test_a_box_whose_labels_are_garbled_is_found_by_its_time_and_keeps_its_small_print() -> None:
    """A 1-bit scan garbles the box's labels (`CS: šj Tỉnh Quảng Ngãi`) and reads a mark into its lines, which come
    out as tall as the body's: the signing time's digits are small print and open the box, lines of print much
    smaller than the body's join it, and the time is read from the garbled line that holds it."""
    def line(k: int, words: list[tuple[str, int]], x: int, y: int, height: int) -> Line:
        placed, left = [], x
        for i, (text, size) in enumerate(words):
            placed.append(Word(f"p1-w{k}{i}", text, text, 0.9, 1, f"p1-l{k}", (left, y, left + 20 * len(text), y + size)))
            left += 20 * len(text) + 10
        return Line(f"p1-l{k}", 1, placed, (x, y, left, y + height))

    body = [line(10 + k, [(w, 40) for w in "Quảng Ngãi, ngày 24 tháng 01 năm 2025 về việc thụ lý".split()], 200, 400 + 50 * k, 45) for k in range(9)]
    signer = line(1, [("“&", 40), ("Ủy", 17), ("ban", 17), ("nhân", 17), ("dân", 17), ("tỉnh", 17)], 1199, 31, 46)
    agency = line(2, [("CS:", 45), ("šj", 40), ("Tỉnh", 22), ("Quảng", 22), ("Ngãi", 22)], 1204, 60, 58)
    signed = line(3, [("&", 40), ("N<=", 45), ("27/12/2021", 17), ("17:22:11", 18)], 1205, 102, 53)
    (found,) = esign.ocr_boxes(Page(1, [signer, agency, signed, *body], width=1654))
    assert found.lines == ["p1-l1", "p1-l2", "p1-l3"] and found.time == "2021-12-27T17:22:11"
