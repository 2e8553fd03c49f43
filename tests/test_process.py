"""`vnocr process` on real files: outputs, schema, reading order, bad inputs, exit codes, atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline import outputs
from pipeline.image import ocr, tesseract
from pipeline.model import Line, Word
from pipeline.outputs import Manifest, ManifestEntry, atomic_write_text
from pipeline.synth.page import render_document

from .conftest import load_valid_json


def vnocr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=600)


def test_process_mixed_folder(tmp_path: Path, header_page) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    header_page.save(src / "sub" / "scan.png", dpi=(300, 300))
    header_page.rotate(3, fillcolor=255).convert("RGB").save(src / "skewed.jpg", quality=80, dpi=(300, 300))
    header_page.save(src / "two.pdf", resolution=300, save_all=True, append_images=[header_page])
    (src / "old.txt").write_text("UY BAN NHAN DAN\nPHUONG AN BINH\n\nBAO CAO\n", "utf-8")
    (src / "empty.pdf").write_bytes(b"")
    (src / "bad.txt").write_bytes(b"Ngh\xef quy\xeat")
    out = tmp_path / "out"
    result = vnocr("process", str(src), "-o", str(out))
    assert result.returncode == 1, result.stderr
    assert "4 ok, 2 failed, 0 skipped" in result.stderr
    assert "empty.pdf: the file is empty" in result.stderr and "bad.txt: the text is not UTF-8" in result.stderr
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(manifest) == 6 and {m["status"] for m in manifest} == {"ok", "error"}
    for stem, pages, kind in [("sub/scan", 1, "png"), ("skewed", 1, "jpeg"), ("two", 2, "pdf"), ("old", 1, "text")]:
        data = load_valid_json(out / f"{stem}.json")
        assert data["source"]["kind"] == kind and data["source"]["pages"] == pages == len(data["pages"])
        assert (out / f"{stem}.txt").read_text().strip()
    skewed = load_valid_json(out / "skewed.json")
    assert abs(skewed["pages"][0]["preprocess"]["skew_deg"] + 3) < 0.5
    text = (out / "skewed.txt").read_text()
    for expected in ["ỦY BAN NHÂN DÂN", "Số: 125/BC-UBND", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO"]:
        assert expected in text, text
    word = load_valid_json(out / "sub/scan.json")["pages"][0]["lines"][0]["words"][0]
    assert word["ocr"] == word["text"] and 0 <= word["conf"] <= 1 and len(word["bbox"]) == 4
    assert (out / "sub" / "scan.pages" / "p001.jpg").exists()


@pytest.mark.parametrize("turn", [90, 180])
def test_a_page_scanned_on_its_side_or_upside_down_is_turned_upright_and_read(tmp_path: Path, turn: int) -> None:
    text = (Path(__file__).resolve().parents[1] / "samples" / "src" / "cong-van.txt").read_text("utf-8")
    render_document(text, dpi=300)[0].rotate(turn, expand=True).save(tmp_path / "turned.png", dpi=(300, 300))
    result = vnocr("process", str(tmp_path / "turned.png"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    data = load_valid_json(tmp_path / "out" / "turned.json")
    assert data["pages"][0]["preprocess"]["turned"] == turn
    assert data["structure"]["number"]["text"] == "356/VHXH-VP"
    read = (tmp_path / "out" / "turned.txt").read_text("utf-8")
    assert "V/v tăng cường phòng, chống sốt xuất" in read and "Vũ Thị Thanh Hương" in read


def test_the_share_of_syllables_tells_a_page_read_upright() -> None:
    def page(text: str) -> list[Line]:
        return [Line("l1", 1, [Word(f"w{i}", t, t, 0.9, 1, "l1") for i, t in enumerate(text.split())], (0, 0, 10, 10))]

    assert ocr.syllable_share(page("Ủy ban nhân dân các phường, xã thực hiện tốt một số nội dung sau: " * 2)) == 1.0
    assert ocr.syllable_share(page("uội ẹp uư ạ/ ueịt “unu( ơa ueạa 2uôp “a1 1ọ1 uạịu 29 22 ỗs ỳa uuip AI 5 uvng ugne2 ugA" * 2)) < ocr.UPRIGHT_SHARE
    assert ocr.syllable_share(page("Số: 356/VHXH-VP ngày 02 tháng 9 năm 2025")) is None  # too few words to tell


def test_reading_order_of_two_column_header(header_page) -> None:
    lines = ocr.page_lines(tesseract.run_tesseract(np.asarray(header_page)), page=1)
    texts = [line.text for line in lines]
    order = [
        next(i for i, t in enumerate(texts) if key in t)
        for key in ["ỦY BAN", "PHƯỜNG AN", "125/BC", "CỘNG HÒA", "Hạnh phúc", "tháng 3", "BÁO CÁO", "kết quả"]
    ]
    assert order == sorted(order), texts
    assert {line.column for line in lines if "125/BC" in line.text} == {"left"}
    assert {line.column for line in lines if "CỘNG HÒA" in line.text} == {"right"}


def test_reading_order_splits_merged_header_lines() -> None:
    words = [
        tesseract.OcrWord("PHƯỜNG", 0.9, (300, 100, 480, 150), (1, 1, 1)),
        tesseract.OcrWord("AN", 0.9, (500, 100, 560, 150), (1, 1, 1)),
        tesseract.OcrWord("Độc", 0.9, (1400, 100, 1490, 150), (1, 1, 1)),
        tesseract.OcrWord("lập", 0.9, (1510, 100, 1600, 150), (1, 1, 1)),
        tesseract.OcrWord("Số:", 0.9, (300, 200, 380, 250), (1, 1, 2)),
        tesseract.OcrWord("Hà", 0.9, (1400, 200, 1460, 250), (2, 1, 1)),
        tesseract.OcrWord("Nội", 0.9, (1480, 200, 2200, 250), (2, 1, 1)),
    ]
    assert [line.text for line in ocr.page_lines(words, 1)] == ["PHƯỜNG AN", "Số:", "Độc lập", "Hà Nội"]


def test_a_line_across_the_header_columns_is_cut_between_its_capitals() -> None:
    xs = [("UỶ", 402, 475), ("BAN", 492, 602), ("NHÂN", 618, 774), ("DÂN", 791, 908), ("CỘNG", 1061, 1219), ("HÒA", 1234, 1354),
          ("XÃ", 1370, 1445), ("HỘI", 1460, 1563), ("CHỦ", 1580, 1699), ("NGHĨA", 1714, 1895)]
    header = [tesseract.OcrWord(t, 0.9, (x0, 192, x1, 243), (1, 1, 1)) for t, x0, x1 in xs]
    assert [line.text for line in ocr.page_lines(header, 1)] == ["UỶ BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA"]
    prose = [tesseract.OcrWord(t.lower(), 0.9, (x0, 192, x1, 243), (1, 1, 1)) for t, x0, x1 in xs]
    assert len(ocr.page_lines(prose, 1)) == 1  # a gap in a sentence (a word Tesseract dropped) is no column


def test_a_line_across_the_header_columns_is_cut_before_the_motto() -> None:
    """The issuer's line and the motto's, a letter's height apart (`ĐÀ NẴNG | CỘNG HOÀ`, `ĐÀO TẠO | Độc lập`):
    the motto opens the right column; the same words inside a sentence are not cut."""
    xs = [("UBND", 330, 493), ("THÀNH", 509, 714), ("PHỐ", 729, 846), ("ĐÀ", 863, 945), ("NẴNG", 959, 1128),
          ("CỘNG", 1182, 1327), ("HOÀ", 1343, 1453), ("XÃ", 1468, 1539)]
    row = [tesseract.OcrWord(t, 0.9, (x0, 250, x1, 303), (1, 1, 1)) for t, x0, x1 in xs]
    assert [line.text for line in ocr.page_lines(row, 1)] == ["UBND THÀNH PHỐ ĐÀ NẴNG", "CỘNG HOÀ XÃ"]
    xs = [("ĐÀO", 834, 962), ("TẠO", 979, 1103), ("Độc", 1347, 1442), ("lập", 1461, 1535), ("-", 1552, 1569), ("Tự", 1586, 1660)]
    row = [tesseract.OcrWord(t, 0.9, (x0, 317, x1, 373), (1, 1, 1)) for t, x0, x1 in xs]
    assert [line.text for line in ocr.page_lines(row, 1)] == ["ĐÀO TẠO", "Độc lập - Tự"]
    xs = [("nước", 300, 420), ("cộng", 437, 560), ("hòa", 577, 660), ("xã", 677, 730)]
    row = [tesseract.OcrWord(t, 0.9, (x0, 250, x1, 303), (1, 1, 1)) for t, x0, x1 in xs]
    assert len(ocr.page_lines(row, 1)) == 1


def test_a_row_of_prose_read_as_two_blocks_is_one_line_again() -> None:
    """Tesseract lost the letters between (`gi|ải quyết`) and read the rows' two halves as blocks side by side:
    the right halves go on the sentences, so each row is read across, never left column first."""
    def word(text: str, x0: int, y0: int, key: tuple[int, int, int]) -> tesseract.OcrWord:
        return tesseract.OcrWord(text, 0.9, (x0, y0, x0 + 30 * len(text), y0 + 60), key)

    rows = [("4. Đẩy mạnh gi", "yết khó khăn, vướng mắc"), ("tư có những đề xuất", "¡ quyết khó khăn"), ("đầu tư sản xuất", "u các sở, ngành")]
    words = []
    for n, (left, right) in enumerate(rows):
        x = 300
        for text in left.split():
            words.append(word(text, x, 1000 + 80 * n, (18, 1, n + 1)))
            x += 30 * len(text) + 20
        x += 100  # two letters' height: the lost letters
        for text in right.split():
            words.append(word(text, x, 1000 + 80 * n, (14, 1, n + 1)))
            x += 30 * len(text) + 20
    assert [line.text for line in ocr.page_lines(words, 1)] == [f"{left} {right}" for left, right in rows]
    header = [word("UBND", 300, 100, (1, 1, 1)), word("TỈNH", 460, 100, (1, 1, 1)),
              word("CỘNG", 700, 100, (2, 1, 1)), word("HÒA", 860, 100, (2, 1, 1)),
              word("Số:", 300, 200, (1, 2, 1)), word("Độc", 700, 200, (2, 2, 1)), word("lập", 810, 200, (2, 2, 1))]
    assert [line.text for line in ocr.page_lines(header, 1)] == ["UBND TỈNH", "Số:", "CỘNG HÒA", "Độc lập"]


def test_kinh_gui_in_the_left_column_comes_after_the_motto_and_the_date() -> None:
    def word(text: str, x0: int, y0: int, key: tuple[int, int, int]) -> tesseract.OcrWord:
        return tesseract.OcrWord(text, 0.9, (x0, y0, x0 + 40 * len(text), y0 + 50), key)

    words = [word("Số:", 300, 100, (1, 1, 1)), word("299/UBND", 420, 100, (1, 1, 1)),
             word("V/v", 300, 200, (1, 2, 1)), word("công", 440, 200, (1, 2, 1)),
             word("Kính", 300, 400, (1, 3, 1)), word("gửi:", 520, 400, (1, 3, 1)),
             word("CỘNG", 1400, 100, (2, 1, 1)), word("HÒA", 1600, 100, (2, 1, 1)),
             word("Quảng", 1400, 300, (2, 2, 1)), word("Ngãi,", 1700, 300, (2, 2, 1)), word("ngày", 2000, 300, (2, 2, 1))]
    assert [line.text for line in ocr.page_lines(words, 1)] == ["Số: 299/UBND", "V/v công", "CỘNG HÒA", "Quảng Ngãi, ngày", "Kính gửi:"]


def test_specks_between_the_header_columns_end_no_band() -> None:
    """A poor scan's specks read between the header's columns (`z`, doubted; `Ẩ.`, lower than half a line) end no
    two-column band: the left column is still read whole before the right one, the specks after both."""
    def word(text: str, x0: int, y0: int, key: tuple[int, int, int], conf: float = 0.9, height: int = 50) -> tesseract.OcrWord:
        return tesseract.OcrWord(text, conf, (x0, y0, x0 + 40 * len(text), y0 + height), key)

    words = [word("UBND", 300, 100, (1, 1, 1)), word("HUYỆN", 480, 100, (1, 1, 1)),
             word("CỘNG", 1300, 100, (2, 1, 1)), word("HÒA", 1480, 100, (2, 1, 1)),
             word("z", 880, 150, (3, 1, 1), conf=0.4), word("Ẩ.", 960, 140, (4, 1, 1), height=12),
             word("XÃ", 300, 200, (1, 1, 2)), word("AN", 420, 200, (1, 1, 2)),
             word("Độc", 1300, 200, (2, 1, 2)), word("lập", 1440, 200, (2, 1, 2))]
    assert [line.text for line in ocr.page_lines(words, 1)] == ["UBND HUYỆN", "XÃ AN", "CỘNG HÒA", "Độc lập", "Ẩ.", "z"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert vnocr("process").returncode == 2
    assert vnocr("process", str(tmp_path / "missing"), "-o", str(tmp_path / "o")).returncode == 2
    assert vnocr("process", str(tmp_path), "-o", str(tmp_path / "o"), "--preprocess", "sharpen").returncode == 2
    (tmp_path / "notes").write_text("x")
    taken = vnocr("process", str(tmp_path), "-o", str(tmp_path / "notes"))  # -o names a file
    assert taken.returncode == 2
    assert taken.stderr.splitlines() == [f"vnocr: {tmp_path / 'notes'} is a file; -o needs a folder (new or written by vnocr)"]


def test_all_good_exit_0(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Số: 311/BC-UBND\n", "utf-8")
    result = vnocr("process", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert load_valid_json(tmp_path / "out" / "a.json")["pages"][0]["lines"][0]["words"][1]["ocr"] == "311/BC-UBND"


def test_interrupted_write_leaves_old_file_whole(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "doc.json"
    atomic_write_text(target, "old")

    def boom(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new" * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_manifest_compacts_to_one_line_per_input_and_survives_a_torn_line(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    manifest.append(ManifestEntry("a.pdf", None, "error", "x", 0, 1.0))
    manifest.append(ManifestEntry("a.pdf", "a.json", "ok", None, 2, 3.0))
    with open(manifest.path, "a") as fh:
        fh.write('{"input": "b.pdf", "outp')
    manifest.append(ManifestEntry("c.pdf", "c.json", "ok", None, 1, 1.0))
    manifest.compact()
    lines = [json.loads(line) for line in manifest.path.read_text().splitlines()]
    assert [(entry["input"], entry["status"]) for entry in lines] == [("a.pdf", "ok"), ("c.pdf", "ok")]


def test_schema_rejects_a_bad_document(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Số\n", "utf-8")
    vnocr("process", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"))
    data = load_valid_json(tmp_path / "out" / "a.json")
    data["pages"][0]["lines"][0]["words"][0]["conf"] = 1.5
    with pytest.raises(Exception, match="1.5"):
        outputs.validate_document(data)
