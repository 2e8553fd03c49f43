"""Structure (issue 4): the administrative layout of Decree 30/2020/NĐ-CP, from text and from scans.

`tests/data/structure/` holds one document per type, written for these tests in the
renderer's input format, and next to each its expected layout (`<name>.json`,
written by hand). Every document is read three ways and must come out right:
- as clean text;
- as text damaged the way an OCR without Vietnamese damages it (made here from the
  clean text): marks dropped, `ô` read as `6`, `Đ` as `P`, the two header columns and the
  two footer columns merged into one line, `I11.`/`1I.` for `III.`/`II.`, paragraphs
  wrapped with a page number left between two halves of one;
- as a scan rendered at 200 DPI and read through the real flow (OCR, repair, structure).
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from dataclasses import asdict
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.flow import read_document, text_pages
from pipeline.layout.body import parse_body
from pipeline.layout.fields import NumberInfo
from pipeline.layout.footer import parse_footer
from pipeline.layout.header import split_issuer, typed_number
from pipeline.layout.patterns import (
    find_authority,
    find_date,
    find_number,
    fold,
    fold_letters,
    join_lines,
    marker_candidates,
    number_parts,
    similar,
)
from pipeline.layout.rows import Row, document_rows
from pipeline.layout.structure import reading_text, structure_document
from pipeline.model import Document, SourceInfo
from pipeline.outputs import write_document
from pipeline.settings import Settings
from pipeline.synth.page import render_document
from pipeline.synth.parse import parse_document
from pipeline.text.vietnamese import fold as fold_marks

from .conftest import load_valid_json

DATA = Path(__file__).parent / "data" / "structure"
NAMES = sorted(p.stem for p in DATA.glob("*.txt"))


def source(name: str) -> str:
    return (DATA / f"{name}.txt").read_text("utf-8")


def expected(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text("utf-8"))


def text_document(text: str, name: str = "doc.txt") -> Document:
    """The structure hook on text input (no repair: raw OCR text must hold up by itself)."""
    pages = text_pages(text)
    doc = Document(SourceInfo(name, name, "0" * 64, "text", len(text), len(pages)), pages, {}, {})
    return structure_document(doc)


# --------------------------------------------------------------------------- views of a structure


def outline(sections: list[dict], depth: int = 0) -> list[str]:
    """`I`, `  1`, `    1.1 (2)`: section numbers by depth, with their paragraph counts."""
    out = []
    for s in sections:
        number = f"Điều {s['number']}" if s["kind"] == "article" else s["number"]
        paragraphs = [item for item in s["content"] if isinstance(item, str)]
        count = f" ({len(paragraphs)})" if paragraphs else ""
        out.append("  " * depth + number + count)
        out.extend(outline([item for item in s["content"] if isinstance(item, dict)], depth + 1))
    return out


def body_blocks(body: dict) -> list[str]:
    def section(s: dict) -> list[str]:
        return [f"{s['label']} {s['title']}", *(b for item in s["content"] for b in ([item] if isinstance(item, str) else section(item)))]

    return [*body["preamble"], *(b for s in body["sections"] for b in section(s)), *body["closing"]]


def source_body(name: str) -> list[str]:
    """The body lines of the source: from the line the expectation names first to the one it names last."""
    lines = source(name).splitlines()
    first, last = expected(name)["body"]
    start = next(i for i, ln in enumerate(lines) if ln.startswith(first))
    end = next(i for i, ln in enumerate(lines) if ln.startswith(last))
    return lines[start : end + 1]


def check_fields(got: dict, want: dict, same) -> None:
    """Every field of the expectation, compared with `same` (the number once folded); outline and counts exactly."""
    for part in ("issuer", "motto", "recipients"):
        for key, value in want[part].items():
            assert same(got[part][key], value), (part, key, got[part][key], value)
    for key in ("text", "sequence", "type_code", "issuer_code", "unit_code"):
        assert fold(got["number"][key] or "") == fold(want["number"][key] or ""), (key, got["number"], want["number"])
    for key in ("authority", "capacity", "name"):
        assert same(got["signature"][key], want["signature"][key]), (key, got["signature"], want["signature"])
    for key in ("place", "subject"):
        assert same(got[key], want[key]), (key, got[key], want[key])
    for key in ("date", "doc_type", "doc_type_from"):
        assert got[key] == want[key], (key, got[key], want[key])
    assert outline(got["body"]["sections"]) == want["outline"]
    assert len(got["body"]["preamble"]) == want["preamble"], got["body"]["preamble"]
    assert len(got["body"]["closing"]) == want["closing"], got["body"]["closing"]


def exact(a, b) -> bool:
    return a == b


def folded(a, b) -> bool:
    """Equal once marks, OCR digit look-alikes and punctuation are set aside."""
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(folded, a, b))
    if a is None or b is None:
        return a is b
    return _key(a) == _key(b)


def _key(text: str) -> str:
    """Letters only, OCR look-alikes read as letters, a word-initial `P` as the `Đ` it was."""
    return re.sub(r"\bP", "D", fold_letters(text))


def close(a, b) -> bool:
    """Alike enough for text read by OCR from a scan (a few letters of a short item may be lost:
    `Lưu: VT` in 11 pt at 200 DPI is at the OCR's limit, and what it reads there is not structure's doing)."""
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))
    if a is None or b is None:
        return a is b
    return similar(a, b) >= 85 if len(b) >= 15 else bool(a.strip())


# --------------------------------------------------------------------------- OCR-like damage


def ocr_like(text: str) -> str:
    """The text as an OCR without Vietnamese returns the page (see the module docstring)."""
    return roman_slips(damage_letters(ocr_layout(text)))


def _side_by_side(left: list[str], right: list[str]) -> list[str]:
    return [" ".join(x for x in pair if x) for pair in zip(left + [""] * len(right), right + [""] * len(left)) if any(pair)]


def _body_lines(body: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    page_number_put = False
    for line in body:
        wrapped = textwrap.wrap(line, 76, break_on_hyphens=True)
        if not page_number_put and len(wrapped) >= 3 and wrapped[0][-1] not in ".:;!?":
            wrapped[1:1] = ["", "", "7", ""]  # the page ends inside this paragraph
            page_number_put = True
        heading = marker_candidates(line) and len(line) < 60 and line[-1] not in ".;:"
        out += wrapped if heading else [*wrapped, ""]
    return out


def ocr_layout(text: str) -> str:
    """Header and footer columns merged line by line; the body wrapped like a page, blank lines between paragraphs."""
    doc = parse_document(text)
    rows = _side_by_side(list(doc.issuer), list(doc.motto))
    rows.append(" ".join([*doc.number, *doc.date]))
    rows += textwrap.wrap(" ".join(doc.vv), 40)
    rows += ["", *doc.doc_type, *doc.subject, "", *doc.addressee, ""]
    rows += _body_lines(doc.body)
    titles = [ln for ln in doc.signature if ln.isupper()]
    names = [ln for ln in doc.signature if not ln.isupper()]
    rows += _side_by_side(list(doc.recipients), titles) + ["", *names]
    return "\n".join(rows) + "\n"


def damage_letters(text: str) -> str:
    """Every other ô-family letter read as `6`, a word-initial `Đ` as `P`, every other mark dropped."""
    out = []
    count = 0
    for i, ch in enumerate(text):
        if fold_marks(ch).lower() == "o" and unicodedata.normalize("NFD", ch)[1:2] == "\u0302":
            count += 1
            if count % 2:
                out.append("6")
                continue
        if ch == "Đ" and (i == 0 or text[i - 1].isspace()):
            out.append("P")
            continue
        out.append(ch)
    return fold_marks("".join(out))


def roman_slips(text: str) -> str:
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        if ln.startswith("III. "):
            lines[i] = "I11. " + ln[5:]
        elif ln.startswith("II. "):
            lines[i] = "1I. " + ln[4:]
    return "\n".join(lines)


# --------------------------------------------------------------------------- documents from text


@pytest.mark.parametrize("name", NAMES)
def test_clean_text_gives_every_field_and_section(name: str, tmp_path: Path) -> None:
    doc = text_document(source(name))
    check_fields(doc.structure, expected(name), exact)
    assert body_blocks(doc.structure["body"]) == source_body(name)
    write_document(doc, tmp_path / "doc.json")
    assert load_valid_json(tmp_path / "doc.json")["structure"] == doc.structure


@pytest.mark.parametrize("name", NAMES)
def test_damaged_text_gives_every_field_and_section(name: str, tmp_path: Path) -> None:
    damaged = ocr_like(source(name))
    assert unicodedata.normalize("NFD", damaged).isascii() or "6" in damaged
    doc = text_document(damaged)
    check_fields(doc.structure, expected(name), folded)
    assert folded(body_blocks(doc.structure["body"]), source_body(name))
    write_document(doc, tmp_path / "doc.json")
    load_valid_json(tmp_path / "doc.json")


@pytest.mark.parametrize("name", NAMES)
def test_clean_text_keeps_the_order_it_was_read_in(name: str) -> None:
    """Whatever the parse makes of them, every line of the input is in the clean text, in the input's order
    (page numbers aside): the structure annotates the text, it never moves or drops it."""
    doc = text_document(source(name))
    numbers = {n["line"] for n in doc.structure["page_numbers"]}
    kept = [ln.text for ln in doc.lines() if ln.id not in numbers]
    flat = " ".join(doc.text.split())
    at = 0
    for line in kept:
        found = flat.find(" ".join(line.split()), at)
        assert found >= 0, (line, flat[at : at + 200])
        at = found + len(line)


def test_damaged_text_joins_a_paragraph_across_a_page_number() -> None:
    doc = text_document(ocr_like(source("bao-cao")))
    assert doc.structure["page_numbers"][0]["printed"] == 7
    assert "\n7\n" not in doc.text
    first = doc.structure["body"]["preamble"][0]
    assert folded(first, source_body("bao-cao")[0])


def test_form_feed_page_break_inside_a_paragraph_and_a_printed_page_number() -> None:
    paragraph = (
        "Phường đã tổ chức nhiều hội nghị quán triệt cho cán bộ, công chức và đảng viên trong toàn "
        "phường, bảo đảm mọi người nắm chắc nội dung, mục tiêu và các giải pháp chủ yếu của kế hoạch; "
        "các chi bộ đưa nội dung này vào sinh hoạt định kỳ hằng tháng để thống nhất nhận thức và hành "
        "động trong toàn hệ thống chính trị ở cơ sở."
    )
    lines = textwrap.wrap(paragraph, 78)
    text = "1. Công tác tuyên truyền\n" + "\n".join(lines[:2]) + "\n\f- 2 -\n" + "\n".join(lines[2:]) + "\n\n2. Kết quả\n"
    doc = text_document(text)
    sections = doc.structure["body"]["sections"]
    assert [s["number"] for s in sections] == ["1", "2"]
    assert sections[0]["content"] == [paragraph]
    assert (sections[0]["page_start"], sections[0]["page_end"]) == (1, 2)
    assert doc.structure["page_numbers"] == [{"page": 2, "printed": 2, "line": "p2-l1"}]


# --------------------------------------------------------------------------- documents from scans


@cache
def scanned(name: str) -> Document:
    """The document rendered at 200 DPI and read by the real flow (OCR, repair, structure)."""
    from tempfile import mkdtemp

    first, *more = render_document(source(name), dpi=200)
    path = Path(mkdtemp(prefix="vnocr-structure-")) / f"{name}.tif"
    first.save(path, save_all=True, append_images=more, compression="tiff_lzw", dpi=(200, 200))
    return read_document(path, Settings(page_images=False))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_scan_gives_every_field_and_section(name: str, tmp_path: Path) -> None:
    doc = scanned(name)
    want = expected(name)
    check_fields(doc.structure, want, close)
    assert close(body_blocks(doc.structure["body"]), source_body(name))
    write_document(doc, tmp_path / "doc.json")
    load_valid_json(tmp_path / "doc.json")


@pytest.mark.slow
def test_scan_over_two_pages_spans_and_page_numbers() -> None:
    doc = scanned("bao-cao")
    assert len(doc.pages) == 2
    assert [(p["page"], p["printed"]) for p in doc.structure["page_numbers"]] == [(2, 2)]
    first, *_, last = doc.structure["body"]["sections"]
    assert (first["page_start"], last["page_end"]) == (1, 2)
    assert "\n2\n" not in f"\n{doc.text}\n"


# --------------------------------------------------------------------------- the text rules


@pytest.mark.parametrize(
    "line, kind, number",
    [
        ("III. KIẾN NGHỊ, ĐỀ XUẤT", "roman", "III"),
        ("I11. NHIEM VU QUY IV", "roman", "III"),
        ("HI. KẾT LUẬN", "roman", "III"),
        ("H. NỘI DUNG CUỘC HỌP", "roman", "II"),
        ("1I. HAN CHE, NGUYEN NHAN", "roman", "II"),
        ("II NỘI DUNG CUỘC HỌP", "roman", "II"),
        ("1.2. Ban hành văn bản", "decimal", "1.2"),
        ("2. Kết quả triển khai", "arabic", "2"),
        ("b) Các hoạt động hưởng ứng", "letter", "b"),
        ("Điều 3. Quyết định này có hiệu lực", "article", "3"),
        ("Pieu 2. Giao Uy ban", "article", "2"),
        ("-Kich hoat tai khoan", "dash", "-"),
        ("+ Chợ An Phú", "plus", "+"),
    ],
)
def test_section_markers(line: str, kind: str, number: str) -> None:
    first = marker_candidates(line)[0]
    assert (first.kind, first.number) == (kind, number)


@pytest.mark.parametrize("line", ["1.500 lượt người dân tham gia", "-5% so với cùng kỳ", "Ông Võ Thanh Sơn", "H. Nguyễn Văn An dự họp"])
def test_lines_that_are_not_markers(line: str) -> None:
    assert marker_candidates(line) == []


@pytest.mark.parametrize(
    "line, text, parts",
    [
        ("S6:128 /BC-UBND An Phu, ngay 15 thang 10 nam 2025", "128/BC-UBND", ("128", "BC", "UBND", None)),
        ("Số: 203/QD-UBND", "203/QĐ-UBND", ("203", "QĐ", "UBND", None)),
        ("Số: 41/TIr-UBND", "41/TTr-UBND", ("41", "TTr", "UBND", None)),
        ("Số: 512/UBND-VP", "512/UBND-VP", ("512", None, "UBND", "VP")),
        ("S6: 186/CA X-QLHC My Hoa Hung, ngay 07", "186/CAX-QLHC", ("186", None, "CAX", "QLHC")),  # a code the OCR split
        ("Số: 09/TTrUBND", "09/TTr-UBND", ("09", "TTr", "UBND", None)),  # a hyphen a small scan lost
        ("Số: 12/PGDĐT", "12/PGDĐT", ("12", None, "PGDĐT", None)),  # no type code: not PG-DĐT
        ("Số: 3/HĐND", "3/HĐND", ("3", None, "HĐND", None)),
        ("Số: 115 /CV-PA§3", "115/CV-PA83", ("115", None, "CV", "PA83")),  # a small 8 read as §
    ],
)
def test_number_and_symbol(line: str, text: str, parts: tuple) -> None:
    _, _, found = find_number(line)
    assert found.text == text
    assert (found.sequence, found.type_code, found.issuer_code, found.unit_code) == parts


def test_dates() -> None:
    assert find_date("An Phu, ngay 15 thang 1O nam 2025").iso == "2025-10-15"
    assert find_date("Hà Nội, ngày 31 tháng 02 năm 2025").iso is None
    assert find_date("Số: 45/BC-UBND") is None
    assert find_date("Phong Thạnh, ngày 15 Biểng 4 năm 2025").iso == "2025-04-15"  # `tháng` misread whole
    assert find_date("trong 15 ngày làm việc 5 năm 2024") is None


def test_issuer_with_and_without_parent() -> None:
    assert split_issuer(["ỦY BAN NHÂN DÂN", "PHƯỜNG AN PHÚ"]) == (None, "ỦY BAN NHÂN DÂN PHƯỜNG AN PHÚ")
    assert split_issuer(["UBND HUYỆN TÂN SƠN", "PHÒNG NỘI VỤ"]) == ("UBND HUYỆN TÂN SƠN", "PHÒNG NỘI VỤ")


def _rows(text: str):
    pages = text_pages(text)
    return document_rows(Document(SourceInfo("a", "a", "0" * 64, "text", 0, 1), pages, {}, {}))[0]


def test_footer_merged_with_the_signature_and_a_garbled_label() -> None:
    footer = parse_footer(
        _rows(
            "N6i nh@n;: TM. UY BAN NHAN DAN\n"
            "- UBND thanh ph6; KT. CHU TlCH\n"
            "- Ph6ng N6i vu thanh pho; PHO CHU TICH\n"
            "- Luu: VT, VP.\n\nNguyen Van Binh\n"
        )
    )
    assert footer.copies == ["UBND thanh ph6", "Ph6ng N6i vu thanh pho", "Luu: VT, VP"]
    sig = footer.signature
    assert sig.authority == ["TM. UY BAN NHAN DAN", "KT. CHU TlCH"]
    assert (sig.capacity, sig.name) == ("PHO CHU TICH", "Nguyen Van Binh")
    assert find_authority("Q. Ba Đình là quận trung tâm") is None
    assert find_authority("'IM. ỦY BAN NHÂN DÂN") == 0 and find_authority("- Lưu: VT. IM. ỦY BAN NHÂN DÂN") == 11
    assert find_authority("IM. Nguyễn Văn An") is None


def test_body_tolerates_ocr_numbering_slips() -> None:
    body = parse_body(_rows("I. MỞ ĐẦU\nNội dung.\n\nII. THỰC HIỆN\n1. Việc một\n\ng) Điểm a đọc sai\n\nII. KẾT LUẬN\nHết.\n"))
    assert outline([asdict(s) for s in body.sections]) == ["I (1)", "II", "  1", "    a", "III (1)"]


WORDS = st.sampled_from(["Ủy", "ban", "nhân", "dân", "05-CT/TU", "kinh", "tế", "-", "xã", "hội;", "12/KH-UBND", "2025."])


@given(st.lists(WORDS, min_size=1, max_size=60), st.integers(min_value=12, max_value=40))
def test_wrapped_lines_join_back_to_the_paragraph(words: list[str], width: int) -> None:
    paragraph = " ".join(words)
    joined = ""
    for line in textwrap.wrap(paragraph, width, break_on_hyphens=True, break_long_words=False):
        joined = join_lines(joined, line)
    assert joined == paragraph


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Mn", "Mc", "Me"))))
def test_fold_keeps_one_character_per_character(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("page_break", ["", "\f- 2 -\n"], ids=["same-page", "across-a-page-break"])
def test_a_paragraph_after_a_list_stays_after_it(page_break: str) -> None:
    """A section holds its paragraphs and sub-items in one ordered list: the paragraph that closes a dash
    list comes after the list, in the structure and in the text, on one page or after a page break."""
    text = (
        "I. KẾT QUẢ THỰC HIỆN\n1. Công tác tuyên truyền\nPhường đã triển khai các hình thức sau:\n"
        "- Tổ chức 12 hội nghị ở các tổ dân phố;\n- Phát 500 tờ rơi đến các hộ gia đình.\n"
        f"{page_break}\nNhìn chung công tác tuyên truyền đạt kết quả tốt.\n\n2. Công tác kiểm tra\n"
    )
    doc = text_document(text)
    first = doc.structure["body"]["sections"][0]["content"][0]
    assert first["label"] == "1."
    assert [item if isinstance(item, str) else item["label"] for item in first["content"]] == [
        "Phường đã triển khai các hình thức sau:", "-", "-", "Nhìn chung công tác tuyên truyền đạt kết quả tốt."]
    assert doc.text.index("Phát 500 tờ rơi") < doc.text.index("Nhìn chung") < doc.text.index("2. Công tác kiểm tra")


ADMIN_LINES = [
    "ỦY BAN NHÂN DÂN", "PHƯỜNG AN BÌNH", "Số: 12/KH-", "UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc", "An Bình, ngày 3 tháng 4 năm 2025", "KẾ HOẠCH", "V/v tổ chức hội nghị",
    "Kính gửi:", "- Các tổ dân phố;", "I. MỤC ĐÍCH", "1. Nâng cao nhận thức", "a) Tuyên truyền rộng rãi;",
    "- Tổ chức 12 hội nghị;", "+ Phát tờ rơi.", "Điều 2. Hiệu lực", "Căn cứ Luật Tổ chức chính quyền địa phương;",
    "Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An", "- 2 -", "3",
    "Trên đây là kế hoạch của phường./.", "nội dung tiếp theo của đoạn văn trước", "QUYẾT ĐỊNH:",
]


@given(st.lists(st.lists(st.sampled_from(ADMIN_LINES), min_size=1, max_size=12), min_size=1, max_size=3),
       st.lists(st.booleans(), min_size=40, max_size=40))
def test_the_text_holds_every_word_once_in_page_order(pages: list[list[str]], blanks: list[bool]) -> None:
    """Whatever the parse makes of a document, its clean text holds every word read, once, in the order of the
    pages (page numbers aside, which the structure records): compared without spaces, since a code broken
    after its hyphen (`12/KH-` + `UBND`) is joined."""
    text = "\f".join("\n".join(line + ("\n" if blank else "") for line, blank in zip(page, blanks)) for page in pages)
    doc = text_document(text)
    numbers = {n["line"] for n in doc.structure["page_numbers"]}
    expected = "".join(w.text for line in doc.lines() if line.id not in numbers for w in line.words)
    assert "".join(doc.text.split()) == expected


CONG_VAN = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: 299/UBND-TTHC
V/v triển khai dịch vụ công trực tuyến
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 15 tháng 01 năm 2025
{addressees}
Thực hiện chỉ đạo của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh đề nghị các cơ quan triển khai ngay.
Nơi nhận:
- Như trên;
- Lưu: VT.
TL. CHỦ TỊCH
KT. CHÁNH VĂN PHÒNG
PHÓ CHÁNH VĂN PHÒNG
Võ Thị Hường
"""


@pytest.mark.parametrize("addressees, expected", [
    ("Kính gửi: Sở Tài chính tỉnh Quảng Ngãi.", ["Sở Tài chính tỉnh Quảng Ngãi"]),
    ("Kính gửi:\n- Sở Tài chính;\n- Sở Nội vụ;\n- Ủy ban nhân dân các huyện, thị xã, thành phố.",
     ["Sở Tài chính", "Sở Nội vụ", "Ủy ban nhân dân các huyện, thị xã, thành phố"]),
], ids=["one-line", "list"])
def test_a_cong_van_with_its_addressees_and_a_three_line_authority_chain(addressees: str, expected: list[str]) -> None:
    doc = text_document(CONG_VAN.format(addressees=addressees))
    s = doc.structure
    assert (s["doc_type"], s["doc_type_from"]) == ("CÔNG VĂN", "subject")
    assert s["subject"] == "V/v triển khai dịch vụ công trực tuyến"
    assert s["number"]["text"] == "299/UBND-TTHC"
    assert (s["place"], s["date"]) == ("Quảng Ngãi", "2025-01-15")
    assert s["issuer"]["name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert s["recipients"]["addressees"] == expected
    assert s["motto"]["national"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    signature = s["signature"]
    assert signature["authority"] == ["TL. CHỦ TỊCH", "KT. CHÁNH VĂN PHÒNG"]
    assert (signature["capacity"], signature["name"]) == ("PHÓ CHÁNH VĂN PHÒNG", "Võ Thị Hường")


def test_the_labels_read_without_their_capital_are_written_with_it() -> None:
    """`kính gửi:` and `nơi nhận:` (a capital the scan lost, a letter repair gave back small) open with their capital."""
    doc = text_document(CONG_VAN.format(addressees="kính gửi: Sở Tài chính.").replace("Nơi nhận:", "nơi nhận:"))
    assert "Kính gửi: Sở Tài chính." in doc.text and "Nơi nhận:" in doc.text and "nơi nhận" not in doc.text
    assert doc.structure["recipients"]["addressees"] == ["Sở Tài chính"]


def test_a_note_between_the_header_and_kinh_gui_leaves_the_addressees_theirs() -> None:
    """A processing note typed beside the subject, read between the date and `Kính gửi:`, ended the header: the
    addressees went to the body. The note is the header's, unplaced; the addressees are found; the body is the body."""
    note = "1. Cô Hương gửi văn bản đến các đơn vị thuộc trường\n2. Phòng CTSV phối hợp với Đoàn TN;\n+hi"
    doc = text_document(CONG_VAN.format(addressees=f"{note}\nKính gửi:\n- Sở Tài chính;\n- Sở Nội vụ."))
    s = doc.structure
    assert s["recipients"]["addressees"] == ["Sở Tài chính", "Sở Nội vụ"]
    assert "+hi" in s["unplaced"]
    assert s["body"]["preamble"][0].startswith("Thực hiện chỉ đạo")
    assert "Phòng CTSV phối hợp" in doc.text and doc.text.index("Phòng CTSV") < doc.text.index("Kính gửi")


def test_a_stamps_words_between_two_addressees_leave_the_list_whole() -> None:
    """Short rows read off a stamp or handwriting between the `-` items of Kính gửi (`: nụ`, `Nx`): the list goes on
    after them, they are unplaced, and a speck read after an item's `;` (`„`) is not the item's; a short row after a
    list that has ended (`.`) is the body's."""
    listed = "Kính gửi: - Sở Giáo dục và Đào tạo;\n: nụ\nNx\n- Sở Nội vụ; „\n- Đại học Đà Nẵng."
    s = text_document(CONG_VAN.format(addressees=listed)).structure
    assert s["recipients"]["addressees"] == ["Sở Giáo dục và Đào tạo", "Sở Nội vụ", "Đại học Đà Nẵng"]
    assert ": nụ" in s["unplaced"] and "Nx" in s["unplaced"]
    ended = "Kính gửi: Sở Tài chính.\n1. Mục tiêu\n- Sở Nội vụ phối hợp."
    s = text_document(CONG_VAN.format(addressees=ended)).structure
    assert s["recipients"]["addressees"] == ["Sở Tài chính"]


def test_each_field_carries_its_lines_a_confidence_and_a_flag() -> None:
    doc = text_document(CONG_VAN.format(addressees="Kính gửi: Sở Tài chính tỉnh Quảng Ngãi."))
    fields = doc.structure["fields"]
    by_text = {line.text: line.id for line in doc.lines()}
    assert fields["number"] == {"value": "299/UBND-TTHC", "conf": 1.0, "lines": [by_text["Số: 299/UBND-TTHC"]], "flag": False}
    assert fields["issuer"]["lines"] == [by_text["ỦY BAN NHÂN DÂN"], by_text["TỈNH QUẢNG NGÃI"]]
    assert fields["signer"]["lines"] == [by_text["Võ Thị Hường"]] and not fields["signer"]["flag"]
    assert fields["doc_type"]["conf"] == 0.9  # told by the V/v subject, not by a title line
    assert fields["addressees"]["lines"] == [by_text["Kính gửi: Sở Tài chính tỉnh Quảng Ngãi."]]

    doubtful = text_document(CONG_VAN.replace("Số: 299/UBND-TTHC", "Số:  /UBND-TTHC").format(addressees=""))
    number = doubtful.structure["fields"]["number"]
    assert number["value"] == "/UBND-TTHC" and number["flag"] and number["conf"] < 0.8  # its sequence is blank
    (line,) = [ln for ln in doubtful.lines() if ln.id in number["lines"]]
    assert sum(w.flag for w in line.words) == 1  # the clerks' queue brings the line it was read from, once
    assert not any(w.flag for ln in doubtful.lines() if ln.id in doubtful.structure["fields"]["issuer"]["lines"] for w in ln.words)
    missing = doubtful.structure["fields"]["addressees"]
    assert missing == {"value": None, "conf": 0.0, "lines": [], "flag": True}


@pytest.mark.parametrize("name,doubted", [("Võ Thị Hường", False), ("Thị Hường", True), ("Vố Thị Hường", True)])
def test_a_signer_whose_name_opens_with_no_surname_is_doubted(name: str, doubted: bool) -> None:
    """The surname lost under a seal (`Trung Chỉnh` for Lê Trung Chinh) or misread leaves a name that reads
    as sure: the field is flagged."""
    signer = text_document(CONG_VAN.replace("Võ Thị Hường", name).format(addressees="Kính gửi: Sở Tài chính.")).structure["fields"]["signer"]
    assert signer["value"] == name and signer["flag"] == doubted


def test_repair_leaves_the_signers_name_alone(tmp_path: Path) -> None:
    """`Hường` is a name, not a misreading of the commoner `Hương`: repair keeps it, in the signature block and
    after `bà`, while it still restores the marks the OCR lost elsewhere."""
    source = tmp_path / "bao-cao.txt"
    source.write_text(CONG_VAN.replace("Võ Thị Hường", "Nguyễn Thị Thu Hường").format(
        addressees="Kính gửi: Sở Tài chính.") + "\nBà Nguyễn Thị Thu Hường đề nghị cac sở phối hợp.\n", "utf-8")
    doc = read_document(source, Settings())
    assert doc.structure["signature"]["name"] == "Nguyễn Thị Thu Hường"
    assert "Bà Nguyễn Thị Thu Hường đề nghị các sở phối hợp." in doc.text


def test_a_signers_name_under_the_strokes_of_the_signature() -> None:
    """The stroke of a handwritten signature read as a quote inside the printed name (`Huỳnh 'Thị`) is left out."""
    doc = text_document(CONG_VAN.replace("Võ Thị Hường", "Huỳnh 'Thị Ngọc Trâm").format(addressees="Kính gửi: Sở Tài chính."))
    assert doc.structure["signature"]["name"] == "Huỳnh Thị Ngọc Trâm"
    assert doc.structure["fields"]["signer"]["lines"] == [doc.lines()[-1].id]


@pytest.mark.parametrize("read", ['b "Đặng Văn Minh', "Đặng ên Văn Minh", "Thượng tướng Đặng Văn ên Minh"])
def test_a_signers_name_with_a_strokes_end_read_as_a_letter(read: str) -> None:
    """The signature's stroke read as a small letter or two before or inside the name (`b "Đặng Văn Minh`,
    `Nguyễn ên Văn Gấu`) is left out, as the rank before it is."""
    doc = text_document(CONG_VAN.replace("Võ Thị Hường", read).format(addressees="Kính gửi: Sở Tài chính."))
    assert doc.structure["signature"]["name"] == "Đặng Văn Minh"


@pytest.mark.parametrize("read", [".Trần Thị Hồng Nhung", "ˆ_ Trần Thị Hồng Nhung", "Trần Thị Hồng Nhung."])
def test_a_signers_name_with_a_speck_at_its_end(read: str) -> None:
    """A seal's or a stroke's speck read glued before or after the name, or as marks before it: left out."""
    doc = text_document(CONG_VAN.replace("Võ Thị Hường", read).format(addressees="Kính gửi: Sở Tài chính."))
    assert doc.structure["signature"]["name"] == "Trần Thị Hồng Nhung"


def test_a_minutes_signers_name_after_marks_still_ends_the_document() -> None:
    """Minutes signed with no recipients and no authority line (`HIỆU TRƯỞNG` over the name), the name read after
    a mark: the title and the name are the footer."""
    from pipeline.layout.footer import footer_start

    rows = [Row(text, 1, f"l{k}", "full") for k, text in enumerate(["Hội nghị kết thúc lúc 16 giờ cùng ngày.", "HIỆU TRƯỞNG", "ˆ_ Phan Thị Thu Hà"])]
    assert footer_start(rows, 0) == 1


def test_a_signatures_strokes_read_as_a_short_word_do_not_hide_the_signer() -> None:
    """An earlier OCR's text of minutes signed by three: the last title's signature strokes read as marks and as a
    short word (`ee`, which repair reads `cơ`), on lines of their own between the title and the name."""
    from pipeline.layout.footer import footer_start

    texts = ["Biên bản được lập thành 03 bản.", "ĐẠI DIỆN CƠ SỞ", "Huỳnh Văn Tài", "THƯ KÝ", "Võ Thị Kim Loan",
             "TRƯỞNG ĐOÀN KIỂM TRA", "PHÓ CHỦ TỊCH UBND XÃ", "(S~", "cơ", "Lê Hoàng Phúc"]
    assert footer_start([Row(text, 1, f"l{k}", "full") for k, text in enumerate(texts)], 0) == 5
    assert text_document("\n".join(texts) + "\n").structure["signature"]["name"] == "Lê Hoàng Phúc"


def test_a_sao_y_copy_keeps_its_own_block_apart() -> None:
    """The copying office's block after the original's signature: its own body, number, date and signer, recorded
    apart; the original's signer and number stay the document's."""
    copy = "\n".join([
        "ỦY BAN NHÂN DÂN", "XÃ HÒA PHƯỚC", "SAO Y", "Số: 15/SY-UBND", "Hòa Phước, ngày 20 tháng 01 năm 2025",
        "Nơi nhận:", "- Các thôn;", "- Lưu: VT.", "TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Trần Văn Bảy",
    ])
    doc = text_document(CONG_VAN.format(addressees="Kính gửi: Sở Tài chính.") + copy + "\n")
    s = doc.structure
    assert (s["number"]["text"], s["signature"]["name"]) == ("299/UBND-TTHC", "Võ Thị Hường")
    assert {k: s["copy"][k] for k in ("kind", "issuer", "number", "place", "date", "signer", "authority")} == {
        "kind": "SAO Y", "issuer": "ỦY BAN NHÂN DÂN XÃ HÒA PHƯỚC", "number": "15/SY-UBND", "place": "Hòa Phước",
        "date": "2025-01-20", "signer": "Trần Văn Bảy", "authority": ["TL. CHỦ TỊCH"]}
    assert "Trần Văn Bảy" in doc.text and doc.text.index("Võ Thị Hường") < doc.text.index("SAO Y")


def test_a_cong_van_as_real_scans_read_it() -> None:
    """What real scans do to a công văn: `V/v` read `V/w`, a stamp read as marks between the addressees, the
    signer's rank before the name (`Trung tá`): still a công văn, its four addressees, the signer's name."""
    text = (CONG_VAN.replace("V/v triển khai", "V/w triển khai").replace("Võ Thị Hường", "Trung tá Ngô Văn Công")
            .format(addressees="Kính gửi: - Sở Tài chính;\nẺ §\n- Sở Nội vụ;\n- Đại học Đà Nẵng;\n- Các trường học."))
    s = text_document(text).structure
    assert (s["doc_type"], s["place"]) == ("CÔNG VĂN", "Quảng Ngãi")
    assert s["recipients"]["addressees"] == ["Sở Tài chính", "Sở Nội vụ", "Đại học Đà Nẵng", "Các trường học"]
    assert s["signature"]["name"] == "Ngô Văn Công"


@pytest.mark.parametrize("read", ["V/w triển khai", "V/ triển khai", "V|v triển khai", "— v/w triển khai", "Víw triển khai", "Vv triển khai"])
def test_a_cong_van_s_subject_opens_with_v_v_however_it_was_read(read: str) -> None:
    """`V/v` read `V/w`, or with its v lost (`V/ trả lời`, on a Vietnamese OCR's text), or its slash as a letter or
    lost (`Vv`, a real page at 300 dpi), or after a speck read as a dash (a 1-bit scan): a công văn all the same, its
    subject spelt `V/v`, in the text too, the reading kept in the word's history."""
    doc = text_document(CONG_VAN.replace("V/v triển khai", read).format(addressees="Kính gửi: Sở Tài chính."))
    s = doc.structure
    assert s["doc_type"] == "CÔNG VĂN" and s["subject"].startswith("V/v triển khai")
    assert s["recipients"]["addressees"] == ["Sở Tài chính"]
    assert "\nV/v triển khai" in doc.text and read not in doc.text
    assert [w.history[0].text for w in doc.words() if w.text == "V/v"] == [read.split()[0]]


@pytest.mark.parametrize("read", ["SỐ: 299/UBND-TTHC", "SÔ: 299/UBND-TTHC"])
def test_the_number_s_label_read_in_capitals_is_written_as_printed(read: str) -> None:
    """`Số:` read `SỐ:` (a real page at 300 dpi: the height of its ố taken for a capital's) is `Số:` in the text."""
    doc = text_document(CONG_VAN.replace("Số: 299/UBND-TTHC", read).format(addressees="Kính gửi: Sở Tài chính."))
    assert "\nSố: 299/UBND-TTHC\n" in doc.text and doc.structure["number"]["text"] == "299/UBND-TTHC"


def test_a_v_v_printed_in_small_letters_stays_so_in_the_text() -> None:
    doc = text_document(CONG_VAN.replace("V/v triển khai", "v/v triển khai").format(addressees="Kính gửi: Sở Tài chính."))
    assert doc.structure["subject"].startswith("V/v triển khai") and "\nv/v triển khai" in doc.text


def test_a_consolidated_text_takes_its_fields_from_its_authentication() -> None:
    """A văn bản hợp nhất begins with the consolidated instrument's own title and no number; its body, number,
    place and date are printed with `XÁC THỰC VĂN BẢN HỢP NHẤT` above the signature at the end."""
    text = "\n".join([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "THÔNG TƯ",
        "Quy định về tổ chức lễ tang", "Điều 1. Phạm vi điều chỉnh", "Thông tư này quy định về tổ chức lễ tang.",
        "BỘ QUỐC PHÒNG", "Số: 46/VBHN-BQP", "XÁC THỰC VĂN BẢN HỢP NHẤT", "Hà Nội, ngày 04 tháng 5 năm 2026",
        "Nơi nhận:", "- Bộ Nội vụ;", "- Lưu: VT.", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Thượng tướng Nguyễn Văn Gấu",
    ]) + "\n"
    s = text_document(text).structure
    assert (s["doc_type"], s["doc_type_from"]) == ("VĂN BẢN HỢP NHẤT", "authentication")
    assert (s["issuer"]["name"], s["number"]["text"]) == ("BỘ QUỐC PHÒNG", "46/VBHN-BQP")
    assert (s["place"], s["date"], s["signature"]["name"]) == ("Hà Nội", "2026-05-04", "Nguyễn Văn Gấu")
    assert not s["fields"]["number"]["flag"] and s["fields"]["number"]["lines"]
    # a scan reads the left column whole before the right one: a long list of recipients between the number
    # and the authentication
    recipients = [f"- Cơ quan số {n};" for n in range(1, 16)]
    scan = text.replace("XÁC THỰC VĂN BẢN HỢP NHẤT\nHà Nội, ngày 04 tháng 5 năm 2026\nNơi nhận:\n- Bộ Nội vụ;\n",
                        "\n".join(["Nơi nhận:", *recipients, "XÁC THỰC VĂN BẢN HỢP NHẤT", "Hà Nội, ngày 04 tháng 5 năm 2026", ""]))
    s = text_document(scan).structure
    assert (s["issuer"]["name"], s["number"]["text"], s["date"]) == ("BỘ QUỐC PHÒNG", "46/VBHN-BQP", "2026-05-04")


def test_a_paragraphs_short_last_line_on_the_left_half_stays_in_the_paragraph() -> None:
    """Geometry puts a short last line in the left column; the text keeps it in its paragraph, and a
    list item or the recipients after a finished sentence still start afresh."""
    rows = [
        Row("b) Đơn vị phối hợp: Sở Kế hoạch và Đầu tư, Sở Tài chính, UBND các quận,", 1, "l1", "full", full=True),
        Row("huyện và các cơ quan, đơn vị có liên quan.", 1, "l2", "left"),
        Row("c) Thời gian: hoàn thành trong quý II năm 2025, báo cáo kết quả về Sở Nội vụ", 1, "l3", "full", full=True),
        Row("d) Kinh phí: ngân sách tỉnh.", 1, "l4", "left"),
        Row("Giao Sở Nội vụ theo dõi, đôn đốc việc thực hiện kế hoạch này và báo cáo./.", 1, "l5", "full", full=True),
        Row("Nơi nhận:", 1, "l6", "left"),
    ]
    assert reading_text(rows).split("\n\n") == [
        "b) Đơn vị phối hợp: Sở Kế hoạch và Đầu tư, Sở Tài chính, UBND các quận, huyện và các cơ quan, đơn vị có liên quan.",
        "c) Thời gian: hoàn thành trong quý II năm 2025, báo cáo kết quả về Sở Nội vụ",
        "d) Kinh phí: ngân sách tỉnh.",
        "Giao Sở Nội vụ theo dõi, đôn đốc việc thực hiện kế hoạch này và báo cáo./.",
        "Nơi nhận:",
    ]


def test_an_appendix_opening_a_page_after_the_signature_is_no_part_of_the_footer() -> None:
    text = ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ ĐÀ NẴNG\nSố: 6240/UBND-SGDĐT\nĐà Nẵng, ngày 18 tháng 10 năm 2023\n\n"
            "Kính gửi: Các sở, ban, ngành.\n\n1. Triển khai các nhiệm vụ theo Phụ lục đính kèm.\n\n"
            "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nLê Trung Chinh\n"
            "\fPhụ lục\nTRIỂN KHAI NHIỆM VỤ THEO THÔNG BÁO SỐ 496-TB/TU\n(Kèm theo Công văn số 6240/UBND-SGDĐT)\n\n"
            "1. Chú trọng công tác tuyên truyền.\n\na) Đơn vị chủ trì: Sở Giáo dục và Đào tạo.\n")
    doc = text_document(text)
    s = doc.structure
    assert s["signature"]["name"] == "Lê Trung Chinh" and s["signature"]["authority"] == ["KT. CHỦ TỊCH"]
    assert not any("NHIỆM VỤ" in line or "chủ trì" in line for line in s["unplaced"])
    assert "Phụ lục\n" in doc.text and "a) Đơn vị chủ trì" in doc.text  # the text keeps the appendix


def test_a_title_that_names_a_type_but_for_a_mark_takes_its_marks() -> None:
    """`QUYÉT ĐỊNH` standing alone (no sentence for repair to go by) is the type of Decree 30's list;
    a body line that merely folds alike is left, and the change is in the word's history."""
    doc = text_document("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 89/QĐ-UBND\n\nQUYÉT ĐỊNH\nVề việc nâng bậc lương\n\n"
                        "Căn cứ Luật Tổ chức chính quyền địa phương;\n\nQUYÉT ĐỊNH:\nĐiều 1. Nâng bậc lương.\n")
    assert "QUYẾT ĐỊNH\n" in doc.text and doc.structure["doc_type"] == "QUYẾT ĐỊNH"
    title = next(line for page in doc.pages for line in page.lines if line.text == "QUYẾT ĐỊNH")
    assert [e.text for e in title.words[0].history] == ["QUYÉT"]
    assert "QUYÉT ĐỊNH:" in doc.text  # not a type's spelling word for word (the colon): repair's to judge


def test_a_line_spelling_a_born_digital_signer_but_for_a_mark_takes_its_marks() -> None:
    from pipeline.layout.marks import lend_marks
    from pipeline.model import Line, Word

    def line(text: str) -> Line:
        return Line("l", 1, [Word(f"w{i}", t, t, 0.9, 1, "l") for i, t in enumerate(text.split())])

    lines = [line("CỤC THUÊ"), line("Cục thuê nhà"), line("cục thuê")]
    lend_marks(lines, {"Cục Thuế"}, "old")
    assert [ln.text for ln in lines] == ["CỤC THUẾ", "Cục thuê nhà", "Cục Thuế"]  # a line that is the name, word for word


def test_the_header_s_date_line_spells_its_own_words_and_a_body_date_is_left() -> None:
    from pipeline.layout.marks import spell_date_words
    from pipeline.model import Line, Word

    def line(text: str) -> Line:
        return Line("l", 1, [Word(f"w{i}", t, t, 0.9, 1, "l") for i, t in enumerate(text.split())])

    lines = [line("CỤC THUẾ"), line("Hà Nội, ngày ø thủng # năm 2026"), line("từ ngày 5 thành lập năm 2020")]
    spell_date_words(lines)
    assert [ln.text for ln in lines] == ["CỤC THUẾ", "Hà Nội, ngày ø tháng # năm 2026", "từ ngày 5 thành lập năm 2020"]
    assert [e.text for e in lines[1].words[4].history] == ["thủng"]
    old_ocr = [line("Số: 356/VHXH-VP ~ Lạc Giang, ngày 02 tháng 9 rắn 2025")]
    spell_date_words(old_ocr)
    assert old_ocr[0].text == "Số: 356/VHXH-VP ~ Lạc Giang, ngày 02 tháng 9 năm 2025"
    misread = [line("Phong Thạnh, ngày 15 Biểng 4 năm 2025")]  # `tháng` misread whole, between the two numbers
    spell_date_words(misread)
    assert misread[0].text == "Phong Thạnh, ngày 15 tháng 4 năm 2025"
    caps = [line("HÀ NỘI, NGAY 08 THĂNG 4 NĂM 2026")]
    spell_date_words(caps)
    assert caps[0].text == "HÀ NỘI, NGÀY 08 THÁNG 4 NĂM 2026"


def test_an_old_ocr_s_number_and_date_on_one_line_part_at_the_gap() -> None:
    """An earlier OCR's text puts each row of the header's two columns on one line, the gap between them read as a
    mark (`~`, `-`) and `năm` as `rắn`: the number stops at the gap, the place starts after it, the date is read."""
    doc = text_document("UBND THÀNH PHỐ LẠC GIANG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                        "PHÒNG VĂN HÓA VÀ XÃ HỘI Độc lập - Tự do - Hạnh phúc\n\n"
                        "Số: 356/VHXH-VP - Lạc Giang, ngày 02 tháng 9 rắn 2025\n"
                        "V/v tăng cường phòng, chống sốt xuất huyết\n\nKính gửi: Ủy ban nhân dân các phường, xã.\n\n"
                        "Thời gian gần đây, số ca mắc sốt xuất huyết tăng.\n")
    s = doc.structure
    assert (s["number"]["text"], s["place"], s["date"]) == ("356/VHXH-VP", "Lạc Giang", "2025-09-02")
    assert "ngày 02 tháng 9 năm 2025" in doc.text


def test_a_number_whose_type_code_the_ocr_misread_takes_the_title_s() -> None:
    """The number's type code is the title's (Decree 30, Phụ lục III): `QB` one letter from `QĐ` under QUYẾT
    ĐỊNH is that code misread; a công văn's number, with no type code, and one far from the title's stay."""
    def number(symbol: str, doc_type: str | None) -> str:
        return typed_number(NumberInfo.of(number_parts("77", symbol), "Số: 77"), doc_type).text

    assert number("QB-UBND", "QUYẾT ĐỊNH") == "77/QĐ-UBND"
    assert number("KT-UBND", "KẾ HOẠCH") == "77/KH-UBND"
    assert number("QB-UBND", None) == "77/QB-UBND"
    assert number("UBND-VP", "BÁO CÁO") == "77/UBND-VP"
    assert number("UBND-VP", "CÔNG VĂN") == "77/UBND-VP"
    assert number("TB-UBND", "QUYẾT ĐỊNH") == "77/TB-UBND"  # a type code of its own: the title's business, not the number's


def test_a_signature_s_title_spelled_but_for_a_letter_or_two_takes_the_title_s_spelling() -> None:
    from pipeline.layout.marks import spell_titles
    from pipeline.model import Line, Word

    def line(text: str) -> Line:
        return Line("l", 1, [Word(f"w{i}", t, t, 0.9, 1, "l") for i, t in enumerate(text.split())])

    read = ["KT. CHfJ TÍCH", "PHO CHU TICH", "TM. UỶ BAN NHÂN DÂN", "TRƯỞNG THÔN", "GIÁM SÁT", "Chủ tịch phường",
            "- Sở Khoa học và Công nghệ thành phố; KT. CHfJ TÍCH", "= HỦ TỊCH", "- TRƯỞNG THÔN"]
    lines = [line(t) for t in read]
    spell_titles(lines, "old")
    assert [ln.text for ln in lines] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "TM. UỶ BAN NHÂN DÂN", "TRƯỞNG THÔN", "GIÁM SÁT", "Chủ tịch phường",
                                          "- Sở Khoa học và Công nghệ thành phố; KT. CHỦ TỊCH", "= CHỦ TỊCH", "- TRƯỞNG THÔN"]
    assert [e.text for e in lines[0].words[1].history] == ["CHfJ"]


def test_a_stray_word_in_the_header_s_left_column_does_not_end_the_header() -> None:
    """A scan read column by column: a stamp's word under the number (`CÁC`) is the header's, unplaced, and the
    subject, the motto, the date line and the addressees after it are still found."""
    from pipeline.layout.header import parse_header

    def row(text: str, column: str, **kw) -> Row:
        return Row(text, 1, f"l{text[:8]}", column, geometric=True, **kw)

    rows = [
        row("CÔNG AN TP ĐÀ NẴNG", "left"), row("PHÒNG AN CHÍNH TRỊ NỘI BỘ", "left"), row("Số: 115 /CV-PA83", "left"),
        row("CÁC", "left"), row("v/v thông báo hoạt động của tà đạo", "left"), row("- Hội thánh Đức Chúa trời", "left"),
        row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "right"), row("Độc lập - Tự do - Hạnh phúc", "right"),
        row("Đà Nẵng, ngày 26 tháng 4 năm 2018", "right"),
        row("Kính gửi: - Sở Giáo dục và Đào tạo thành phố Đà Nẵng;", "full", para_start=True),
        row("- Đại học Đà Nẵng.", "full"),
        row("Thời gian qua, tại nhiều tỉnh thành trên cả nước, nổi lên hoạt động của hệ", "full", para_start=True, full=True),
    ]
    h = parse_header(rows)
    assert (h.number.text, h.place, h.date) == ("115/CV-PA83", "Đà Nẵng", "2018-04-26")
    assert h.subject == "V/v thông báo hoạt động của tà đạo - Hội thánh Đức Chúa trời"
    assert h.addressees == ["Sở Giáo dục và Đào tạo thành phố Đà Nẵng", "Đại học Đà Nẵng"]
    assert h.unplaced == ["CÁC"] and h.end == len(rows) - 1


def test_a_speck_between_the_header_and_the_type_line_does_not_end_the_header() -> None:
    """A poor scan: a speck read as a letter or two under the header's columns (`Ẩ.`, `lỗ`), the number's symbol
    garbled (`Số: 812TRC SKHCN`, no issuer line), and a quote read before the subject (or one of its words): the
    type line and the subject under it are still found."""
    from pipeline.layout.header import parse_header

    def row(text: str, column: str, **kw) -> Row:
        return Row(text, 1, f"l{text[:8]}", column, geometric=True, **kw)

    for speck in ("Ẩ.", "lỗ"):
        rows = [
            row("ỦY BAN NHÂN DÂN", "left"), row("PHƯỜNG TÂN AN", "left"), row("Số: 812TRC SKHCN", "left"),
            row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "right"), row("Độc lập - Tự do - Hạnh phúc", "right"),
            row("Tân An, ngày 06 tháng 10 năm 2025", "right"), row(speck, "full", para_start=True),
            row("KẾ HOẠCH", "full", centred=True, para_start=True),
            row("'Tổ chức các hoạt động hưởng ứng Ngày Pháp luật", "full", centred=True, para_start=True),
            row("Thực hiện Kế hoạch của UBND tỉnh, Ủy ban nhân dân phường ban hành Kế hoạch như sau:", "full", para_start=True),
        ]
        h = parse_header(rows)
        assert (h.doc_type, h.subject, h.date) == ("KẾ HOẠCH", "Tổ chức các hoạt động hưởng ứng Ngày Pháp luật", "2025-10-06")
        assert h.issuer.lines == ["ỦY BAN NHÂN DÂN", "PHƯỜNG TÂN AN"]
    for read, subject in [("'Tổ chức các hoạt động hưởng ứng 'Ngày Pháp luật", "Tổ chức các hoạt động hưởng ứng Ngày Pháp luật"),
                          ("Tổ chức các hoạt động hưởng ứng “Ngày Pháp luật”", "Tổ chức các hoạt động hưởng ứng “Ngày Pháp luật”"),
                          ("Hỗ trợ đồng bào M'Nông", "Hỗ trợ đồng bào M'Nông")]:
        rows[8] = row(read, "full", centred=True, para_start=True)
        assert parse_header(rows).subject == subject  # a quote no other closes is a speck's; a closed one is the text's


def test_a_long_subject_a_poor_scan_reads_further_from_the_type_line() -> None:
    """A long subject fills its first line; on a poor scan that line stands further below the type line than a
    paragraph's lines stand apart (a gap), and the centred line under it, `Kính gửi:` or the body's `Căn cứ` still
    make it the subject. The list of
    addressees goes on after a speck read as a comma before its dash (`,- Ban`)."""
    from pipeline.layout.header import parse_header

    def row(text: str, column: str, **kw) -> Row:
        return Row(text, 1, f"l{text[:8]}", column, geometric=True, **kw)

    rows = [
        row("ỦY BAN NHÂN DÂN", "left"), row("XÃ TÂN HÒA", "left"), row("Số: 87/BC-UBND", "left"),
        row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "right"), row("Độc lập - Tự do - Hạnh phúc", "right"),
        row("Tân Hòa, ngày 18 tháng 6 năm 2025", "right"),
        row("BÁO CÁO", "full", centred=True, para_start=True, gap=True),
        row("Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc phòng - an ninh 6 tháng đầu năm", "full",
            full=True, para_start=True, gap=True),
        row("và phương hướng, nhiệm vụ 6 tháng cuối năm 2025", "full", centred=True, para_start=True),
        row("Kính gửi:", "full", para_start=True, gap=True), row("- Chủ các khách sạn, nhà nghỉ;", "full"),
        row(",- Ban điều hành các tổ dân phố.", "full"),
        row("Thực hiện Nghị quyết số 12/NQ-HĐND, Ủy ban nhân dân xã báo cáo như sau:", "full", para_start=True, gap=True, indent=True, full=True),
    ]
    h = parse_header(rows)
    assert h.subject == ("Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc phòng - an ninh 6 tháng đầu năm "
                         "và phương hướng, nhiệm vụ 6 tháng cuối năm 2025")
    assert h.addressees == ["Chủ các khách sạn, nhà nghỉ", "Ban điều hành các tổ dân phố"]
    body = [*rows[:7], row("Thực hiện Nghị quyết số 12/NQ-HĐND, Ủy ban nhân dân xã báo cáo kết quả thực hiện như sau:", "full",
                           full=True, para_start=True, gap=True, indent=True), rows[8]]
    assert parse_header(body).subject is None  # an indented first line is the body's, whatever follows it
    one_line = [*rows[:7], row("Tình hình thiệt hại do mưa lũ, sạt lở đất và đề nghị hỗ trợ di dời khẩn cấp các hộ dân", "full",
                               full=True, para_start=True, gap=True), *rows[9:]]
    h = parse_header(one_line)  # one line, `Kính gửi:` under it
    assert (h.subject, len(h.addressees)) == ("Tình hình thiệt hại do mưa lũ, sạt lở đất và đề nghị hỗ trợ di dời khẩn cấp các hộ dân", 2)
    based = [*one_line[:8], row("Căn cứ Nghị quyết số 12/NQ-HĐND ngày 10/6/2025 của Hội đồng nhân dân xã;", "full",
                                full=True, para_start=True, gap=True, indent=True)]
    assert parse_header(based).subject == one_line[7].text  # one line, the body's `Căn cứ` under it
    said = [*rows[:7], row("Ủy ban nhân dân xã báo cáo tình hình thiệt hại do mưa lũ và đề nghị hỗ trợ như sau:", "full",
                           full=True, para_start=True, gap=True), based[-1]]
    assert parse_header(said).subject is None  # a finished line is the body's


def test_a_stamp_above_the_motto_does_not_end_the_header() -> None:
    """A copy's `SAO Y` stamp in the top right corner, read after the left column and before the motto: the
    header's, unplaced; the date line and the addressees under it are still found."""
    from pipeline.layout.header import parse_header

    def row(text: str, column: str) -> Row:
        return Row(text, 1, f"l{text[:8]}", column, geometric=True)

    rows = [
        row("ỦY BAN NHÂN DÂN", "left"), row("THÀNH PHỐ ĐÀ NẴNG", "left"), row("Số: 5710 /UBND-SGDĐT", "left"),
        row("V/v thực hiện Thông báo số 496-TB/TU", "left"),
        row("SAO Y", "right"), row("Ủy ban nhân dân thành phố Đà Nẵng", "right"),
        row("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "right"), row("Độc lập - Tự do - Hạnh phúc", "right"),
        row("Đà Nẵng, ngày 18 tháng 10 năm 2023", "right"),
        row("Kính gửi:", "left"), row("- Các sở, ban, ngành;", "left"), row("- Đại học Đà Nẵng.", "left"),
    ]
    h = parse_header(rows)
    assert (h.number.text, h.place, h.date, h.motto.national) == ("5710/UBND-SGDĐT", "Đà Nẵng", "2023-10-18", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert h.addressees == ["Các sở, ban, ngành", "Đại học Đà Nẵng"]
    assert h.unplaced == ["SAO Y", "Ủy ban nhân dân thành phố Đà Nẵng"]


def test_a_long_list_of_recipients_whose_label_went_unread_is_still_the_footer() -> None:
    """`Nơi nhận:` and the authority line under a seal went unread; after the letter's `./.`, nineteen recipients,
    the title and the name: the footer, however long the list, not the body."""
    from pipeline.layout.footer import footer_start

    recipients = [Row(f"- Cơ quan số {k};", 1, f"r{k}", "left", geometric=True) for k in range(19)]
    rows = [
        Row("báo cáo kết quả thực hiện về UBND tỉnh theo đúng", 1, "b1", "full", full=True, geometric=True),
        Row("quy định ./.", 1, "b2", "left", geometric=True),
        *recipients,
        Row("CHỦ TỊCH", 1, "s1", "right", geometric=True),
        Row("Đặng Văn Minh", 1, "s2", "right", geometric=True),
    ]
    assert footer_start(rows, 0) == 2
    footer = parse_footer(rows[2:])
    assert (footer.signature.capacity, footer.signature.name, len(footer.copies)) == ("CHỦ TỊCH", "Đặng Văn Minh", 19)
    body = [Row(f"Đoạn {k} của phụ lục, viết thành câu dài như văn bản thường.", 1, f"p{k}", "full", full=True) for k in range(14)]
    assert footer_start([rows[1], *body], 0) == len(body) + 1  # paragraphs after `./.`: an appendix, no footer


def test_a_number_line_whose_label_the_handwriting_took_is_the_number_not_the_issuer() -> None:
    """`Số:11` handwritten against its label, read on a 1-bit scan as `36⁄1/CT-UBND`: the line is the number's, its
    sequence unread, not a third line of the issuer's."""
    from pipeline.layout.header import parse_header

    def header(number_line: str):
        rows = [Row(text, 1, f"l{k}", column, geometric=True) for k, (text, column) in enumerate([
            ("ỦY BAN NHÂN DÂN", "left"), ("TỈNH QUẢNG NGÃI", "left"), (number_line, "left"),
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "right"), ("Độc lập - Tự do - Hạnh phúc", "right"),
            ("Quảng Ngãi, ngày 11 tháng 5 năm 2021", "right"), ("CHỈ THỊ", "full"), ("Về tăng cường phòng, chống dịch", "full")])]
        return parse_header(rows)

    h = header("36⁄1/CT-UBND")
    assert (h.issuer.name, h.number.text, h.number.sequence, h.doc_type) == ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "/CT-UBND", "", "CHỈ THỊ")
    assert header("11/CT-UBND").number.text == "11/CT-UBND"


def test_a_stamps_print_above_the_letterhead_is_the_headers_unplaced() -> None:
    """A 1-bit scan reads the gazette's stamp over the page's top (`Hội`, `SÍ CÒNG BẢO:`) before the issuer: the
    header goes on past it, and the number, the type, the date and the issuer are read."""
    from pipeline.layout.header import parse_header

    rows = [Row(text, 1, f"l{k}", column, geometric=True) for k, (text, column) in enumerate([
        ("Hội", "full"), ("SÍ CÒNG BẢO:", "full"), ("VM}N HỌC", "full"), ("ỦY BAN NHÂN DÂN", "left"), ("TỈNH QUẢNG NGÃI", "left"),
        ("Số: 16 /CT-UBND", "left"), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "right"), ("Độc lập - Tự do - Hạnh phúc", "right"),
        ("Quảng Ngãi, ngày 27 tháng 12 năm 2021", "right"), ("CHỈ THỊ", "full"), ("Về việc bảo đảm đón Tết Nguyên đán", "full"),
        ("Thực hiện Chỉ thị số 11-CT/TW ngày 08/12/2021 của Ban Bí thư về việc tổ chức Tết", "full")])]
    h = parse_header(rows)
    assert (h.number.text, h.doc_type, h.date_line, h.issuer.name) == (
        "16/CT-UBND", "CHỈ THỊ", "Quảng Ngãi, ngày 27 tháng 12 năm 2021", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI")
