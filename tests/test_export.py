"""Exports of a real output folder: OpenSearch bulk NDJSON, ALTO v4 per page, searchable PDF checked with pdftotext."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.export.formats import export
from pipeline.export.opensearch import index_definition
from pipeline.outputs import read_document, write_document
from pipeline.layout.structure import structure_document

from .conftest import HEADER, draw_page, load_valid_json

ALTO = "http://www.loc.gov/standards/alto/ns-v4#"
A = f"{{{ALTO}}}"

BODY = [
    (350, 900, "1. Chuyển đổi số và cải cách hành chính", True),
    (350, 980, "Đảng ủy phường chỉ đạo đẩy mạnh chuyển đổi số trong toàn hệ thống.", False),
    (350, 1060, "Người dân được hướng dẫn sử dụng dịch vụ công trực tuyến.", False),
]

NOTE = """ỦY BAN NHÂN DÂN
XÃ TÂN HÒA
Số: 12/TB-UBND
Tân Hòa, ngày 02 tháng 7 năm 2025
THÔNG BÁO
Lịch tiếp công dân tháng bảy
Chủ tịch Ủy ban nhân dân xã tiếp công dân vào sáng thứ Năm hằng tuần.
"""


def vnocr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=600)


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """`vnocr process` on a rendered scan (page image, word boxes) and an earlier-OCR text; then a clerk fixes a word."""
    folder = tmp_path_factory.mktemp("export")
    src = folder / "in"
    (src / "scans").mkdir(parents=True)
    draw_page(HEADER + BODY, size=(2480, 1300)).save(src / "scans" / "phuong.png", dpi=(300, 300))
    first = draw_page(HEADER[:2] + [(350, 500, "Trang một: kế hoạch chuyển đổi số năm 2025.", False)], size=(2480, 700))
    second = draw_page([(350, 200, "Trang hai: Đảng ủy xã chỉ đạo thực hiện.", False)], size=(2480, 500))
    first.save(src / "hai-trang.pdf", resolution=300, save_all=True, append_images=[second])
    (src / "thong-bao.txt").write_text(NOTE, "utf-8")
    result = vnocr("process", str(src), "-o", str(folder / "out"))
    assert result.returncode == 0, result.stderr
    path = folder / "out" / "scans" / "phuong.json"
    doc = read_document(path)
    word = next(w for w in doc.words() if w.text == "toàn")
    word.set_text("toàn bộ", "clerk", who="lan", when="2025-07-01T09:00:00+00:00")
    doc.version += 1
    write_document(structure_document(doc), path)
    return folder / "out"


# --------------------------------------------------------------------------- OpenSearch / Elasticsearch bulk


def test_opensearch_bulk_and_index_definition(out: Path, tmp_path: Path) -> None:
    result = vnocr("export", str(out), "--format", "opensearch", "-o", str(tmp_path / "os"), "--index", "luu-tru")
    assert result.returncode == 0, result.stderr
    assert "_bulk" in result.stderr
    raw = (tmp_path / "os" / "luu-tru.ndjson").read_bytes()
    assert raw.endswith(b"\n") and b"\n\n" not in raw and not raw.startswith(b"\n")
    lines = raw.decode("utf-8").split("\n")[:-1]
    assert len(lines) % 2 == 0 and lines
    definition = json.loads((tmp_path / "os" / "luu-tru.index.json").read_text("utf-8"))
    assert definition == index_definition()
    properties = definition["mappings"]["properties"]
    ids, docs = set(), []
    for action_line, source_line in zip(lines[0::2], lines[1::2]):
        action, source = json.loads(action_line), json.loads(source_line)
        assert list(action) == ["index"] and action["index"]["_index"] == "luu-tru"
        ids.add(action["index"]["_id"])
        assert not set(source) & {"index", "create", "update", "delete"}
        assert set(source) <= set(properties), set(source) - set(properties)  # the mapping is strict
        docs.append(source)
    assert len(ids) == len(docs)
    assert {d["document"] for d in docs} == {"scans/phuong.json", "thong-bao.json", "hai-trang.json"}
    note = [d for d in docs if d["document"] == "thong-bao.json"]
    assert {d.get("number") for d in note} == {"12/TB-UBND"} and {d.get("date") for d in note} == {"2025-07-02"}
    text = " ".join(d.get("text", "") + " " + d.get("section_title", "") for d in docs)
    assert "Đảng ủy phường" in text and "toàn bộ hệ thống" in text  # the original accented, corrected text

    analysis = definition["settings"]["analysis"]
    folding = [f for f in analysis["filter"].values() if f["type"] in ("asciifolding", "icu_folding")]
    assert folding and all(f.get("preserve_original") is True for f in folding if f["type"] == "asciifolding")
    analyzer = analysis["analyzer"][properties["text"]["analyzer"]]
    assert "lowercase" in analyzer["filter"] and any(analysis["filter"].get(f) in folding for f in analyzer["filter"])
    assert properties["date"]["type"] == "date" and properties["section"]["type"] == "keyword"


def test_opensearch_splits_large_exports(out: Path, tmp_path: Path) -> None:
    report = export(out, "opensearch", tmp_path, index="small")
    from pipeline.export.opensearch import export_opensearch

    split = export_opensearch(out, tmp_path / "split", index="small", max_bytes=1)  # one document a file
    parts = sorted((tmp_path / "split").glob("small-*.ndjson"))
    assert len(parts) == 3 and split.written[1:] == parts and not (tmp_path / "split" / "small.ndjson").exists()
    for part in parts:  # each file a valid bulk body on its own: whole documents, action + source pairs
        lines = part.read_bytes().split(b"\n")
        assert lines[-1] == b"" and len(lines[:-1]) % 2 == 0 and "index" in json.loads(lines[0])
    assert b"".join(p.read_bytes() for p in parts) == (tmp_path / "small.ndjson").read_bytes()
    assert report.documents == 3


# --------------------------------------------------------------------------- ALTO v4


def test_alto_pages(out: Path, tmp_path: Path) -> None:
    result = vnocr("export", str(out), "--format", "alto", "-o", str(tmp_path / "alto"))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "alto" / "scans" / "phuong.alto" / "p001.xml"
    assert path.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = ET.parse(path).getroot()  # well-formed
    assert root.tag == A + "alto"
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").startswith(ALTO + " ")

    desc = root.find(A + "Description")
    assert [c.tag for c in desc][:2] == [A + "MeasurementUnit", A + "sourceImageInformation"]
    assert desc.findtext(A + "MeasurementUnit") == "pixel"
    assert desc.findtext(f"{A}sourceImageInformation/{A}fileName") == "phuong.pages/p001.jpg"
    steps = desc.findall(A + "Processing")
    assert [s.get("ID") for s in steps] == ["proc-vnocr", "proc-review"]
    software = steps[0].find(A + "processingSoftware")
    assert software.findtext(A + "softwareName") == "vnocr" and software.findtext(A + "softwareVersion")
    assert steps[0].findtext(A + "processingCategory") == "contentGeneration"
    assert steps[1].findtext(A + "processingCategory") == "contentModification"

    page = root.find(f"{A}Layout/{A}Page")
    assert (page.get("ID"), page.get("PHYSICAL_IMG_NR"), page.get("WIDTH"), page.get("HEIGHT")) == ("page1", "1", "2480", "1300")
    space = page.find(A + "PrintSpace")
    blocks = space.findall(A + "TextBlock")
    assert blocks and all(b.findall(A + "TextLine") for b in blocks)
    ids = [el.get("ID") for el in root.iter() if el.get("ID")]
    assert len(ids) == len(set(ids))

    doc = load_valid_json(out / "scans" / "phuong.json")
    expected = [w for line in doc["pages"][0]["lines"] for w in line["words"] if w["text"]]
    strings = list(space.iter(A + "String"))
    assert [s.get("CONTENT") for s in strings] == [w["text"] for w in expected]
    for string, word in zip(strings, expected):
        x0, y0, x1, y1 = word["bbox"]
        assert [int(string.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT")] == [x0, y0, x1 - x0, y1 - y0]
        assert 0 <= float(string.get("WC")) <= 1 and abs(float(string.get("WC")) - word["conf"]) < 1e-3
    for line in space.iter(A + "TextLine"):
        tags = [c.tag for c in line]
        assert tags[0] == A + "String" and all(a != b for a, b in zip(tags, tags[1:]))  # String (SP String)*
        assert all(line.get(k) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
    fixed = next(s for s in strings if s.get("CONTENT") == "toàn bộ")
    assert fixed.get("CS") == "true" and fixed.get("PROCESSINGREFS") == "proc-review"
    assert [(a.get("PURPOSE"), a.text) for a in fixed.findall(A + "ALTERNATIVE")][0] == ("ocr", "toàn")
    text = " ".join(s.get("CONTENT") for s in strings)
    assert "Số: 125/BC-UBND" in text and "Đảng ủy phường chỉ đạo" in text

    note = ET.parse(tmp_path / "alto" / "thong-bao.alto" / "p001.xml").getroot()
    contents = [s.get("CONTENT") for s in note.iter(A + "String")]
    assert "THÔNG BÁO" in " ".join(contents) and not any(s.get("HPOS") for s in note.iter(A + "String"))
    assert "no word positions" in result.stderr


# --------------------------------------------------------------------------- searchable PDF


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_searchable_pdf(out: Path, tmp_path: Path) -> None:
    result = vnocr("export", str(out), "--format", "pdf", "-o", str(tmp_path / "pdf"))
    assert result.returncode == 0, result.stderr
    assert re.search(r"thong-bao\.json: no page images .*no PDF written", result.stderr)
    assert not (tmp_path / "pdf" / "thong-bao.pdf").exists()
    pdf = tmp_path / "pdf" / "scans" / "phuong.pdf"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    doc = load_valid_json(out / "scans" / "phuong.json")
    for line in doc["pages"][0]["lines"]:
        words = " ".join(w["text"] for w in line["words"] if w["text"])
        assert squash(words) in squash(text), (words, text)
    for expected in ["ỦY BAN NHÂN DÂN", "Số: 125/BC-UBND", "Độc lập - Tự do - Hạnh phúc", "toàn bộ hệ thống",
                     "Đảng ủy phường chỉ đạo đẩy mạnh chuyển đổi số", "dịch vụ công trực tuyến"]:
        assert expected in squash(text)

    reader = PdfReader(pdf)
    page = reader.pages[0]
    assert len(reader.pages) == 1
    assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.2, 312.0)  # 2480 x 1300 px at 300 dpi
    assert page.images and page.images[0].image.size == (2480, 1300)
    assert b"3 Tr" in page.get_contents().get_data()  # the text layer is invisible
    fonts = {f["/BaseFont"] for f in (page["/Resources"]["/Font"][k].get_object() for k in page["/Resources"]["/Font"])}
    assert any("LiberationSerif" in str(f) or "DejaVu" in str(f) for f in fonts)

    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    so = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">125/BC-UBND</word>', words)
    box = next(w["bbox"] for line in doc["pages"][0]["lines"] for w in line["words"] if w["text"] == "125/BC-UBND")
    scale = 72 / 300
    assert so and abs(float(so.group(1)) - box[0] * scale) < 1 and abs(float(so.group(3)) - box[2] * scale) < 2


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_searchable_pdf_of_two_pages(out: Path, tmp_path: Path) -> None:
    report = export(out, "pdf", tmp_path)
    pdf = tmp_path / "hai-trang.pdf"
    assert pdf in report.written
    reader = PdfReader(pdf)
    sizes = [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in reader.pages]
    assert sizes == [(595.2, 168.0), (595.2, 120.0)]
    pages = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout for n in (1, 2)]
    assert "kế hoạch chuyển đổi số năm 2025" in squash(pages[0]) and "Đảng ủy" not in pages[0]
    assert "Trang hai: Đảng ủy xã chỉ đạo thực hiện." in squash(pages[1])


def test_pdf_without_any_images(tmp_path: Path, out: Path) -> None:
    only_text = tmp_path / "only"
    only_text.mkdir()
    shutil.copy(out / "thong-bao.json", only_text / "thong-bao.json")
    result = vnocr("export", str(only_text), "--format", "pdf", "-o", str(tmp_path / "pdf"))
    assert result.returncode == 1 and "no page images" in result.stderr
    result = vnocr("export", str(tmp_path / "missing"), "--format", "alto", "-o", str(tmp_path / "x"))
    assert result.returncode == 2 and "not a folder" in result.stderr
