"""Ingest and rasterize: input kinds, output stems, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from pipeline.errors import InputError
from pipeline.image import raster
from pipeline.ingest.files import discover, identify, read_text


def test_discover_maps_folders_and_files(tmp_path: Path) -> None:
    (tmp_path / "X" / "a").mkdir(parents=True)
    (tmp_path / "X" / "a" / "b.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "X" / "c.txt").write_text("x")
    (tmp_path / "X" / "notes.docx").write_text("x")
    (tmp_path / "d.png").write_bytes(b"x")
    found = discover([tmp_path / "X", tmp_path / "d.png"])
    assert [(f.path.name, str(f.relative)) for f in found] == [("b.pdf", "a/b"), ("c.txt", "c"), ("d.png", "d")]


def test_discover_keeps_same_stem_inputs_apart(tmp_path: Path) -> None:
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "b.png").write_bytes(b"x")
    assert sorted(str(f.relative) for f in discover([tmp_path])) == ["b.pdf", "b.png"]


def test_discover_missing_input(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        discover([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.pdf", b"", "empty"),
        ("lies.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "content is a PNG image"),
        ("lies.png", b"%PDF-1.4\n", "content is a PDF"),
        ("junk.jpg", b"hello world, not a picture", "not"),
        ("bin.txt", b"%PDF-1.4 binary", "content is a PDF"),
        ("file.docx", b"PK\x03\x04", "unsupported"),
    ],
)
def test_identify_refuses_bad_inputs(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        identify(path)


def test_identify_reports_hash_and_kind(tmp_path: Path, png_bytes: bytes) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(png_bytes)
    info = identify(path)
    assert (info.kind, info.size, len(info.sha256)) == ("png", len(png_bytes), 64)


def test_read_text_encodings(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffSố: 311".encode())
    assert read_text(path) == ("Số: 311", "utf-8")
    path.write_bytes("Số: 311".encode("utf-16"))
    assert read_text(path) == ("Số: 311", "utf-16")
    path.write_bytes(b"S\xf4\xec: 311")
    with pytest.raises(InputError, match="not UTF-8"):
        read_text(path)


def test_png_and_multipage_tiff(tmp_path: Path, header_page: Image.Image) -> None:
    png = tmp_path / "a.png"
    header_page.save(png, dpi=(300, 300))
    pages = list(raster.image_pages(png))
    assert [(p.number, p.dpi, p.image.mode) for p in pages] == [(1, 300, "L")]
    tif = tmp_path / "a.tif"
    small = header_page.resize((620, 877))
    small.save(tif, save_all=True, append_images=[small, small], dpi=(75, 75), compression="tiff_lzw")
    assert [p.number for p in raster.image_pages(tif)] == [1, 2, 3]


def test_pdf_single_scan_page_is_extracted_losslessly(tmp_path: Path, header_page: Image.Image) -> None:
    pdf = tmp_path / "scan.pdf"
    header_page.save(pdf, resolution=300)
    page = next(raster.pdf_pages(pdf))
    assert page.how == "extracted" and page.image.size == header_page.size and page.dpi == 300


def test_pdf_low_resolution_scan_is_extracted_at_its_own_resolution(tmp_path: Path, header_page: Image.Image) -> None:
    """A 100-dpi scan in a PDF is read as a 100-dpi image file would be (preprocessing enlarges it and reads it
    both ways), not rendered by poppler at 300 dpi."""
    pdf = tmp_path / "small.pdf"
    small = header_page.resize((header_page.width // 3, header_page.height // 3))
    small.save(pdf, resolution=100)
    page = next(raster.pdf_pages(pdf))
    assert (page.how, page.image.size, page.dpi) == ("extracted", small.size, 100)


def test_pdf_with_text_is_rendered(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "text.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(595, 842))
    c.drawString(72, 760, "Bao cao")
    c.showPage()
    c.drawString(72, 760, "Trang 2")
    c.save()
    pages = list(raster.pdf_pages(pdf, dpi=100, ocr="always"))
    assert [(p.number, p.how, p.image.size) for p in pages] == [(1, "rendered", (827, 1170)), (2, "rendered", (827, 1170))]
    read = list(raster.pdf_pages(pdf, dpi=100))  # its own text is read, the page shown at 150 dpi
    assert [(p.number, p.how, p.image.size) for p in read] == [(1, "text-layer", (1240, 1755)), (2, "text-layer", (1240, 1755))]
    assert [[w[0] for line in p.layer.lines for w in line.words] for p in read] == [["Bao", "cao"], ["Trang", "2"]]


def test_bad_pdfs(tmp_path: Path, header_page: Image.Image) -> None:
    good = tmp_path / "good.pdf"
    header_page.save(good, resolution=300)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError, match="damaged|cannot"):
        list(raster.pdf_pages(truncated))
    writer = PdfWriter(clone_from=good)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="encrypted"):
        list(raster.pdf_pages(locked))


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 10000), 1).save(bomb)
    with pytest.raises(InputError, match="too large|megapixel"):
        list(raster.image_pages(bomb))


def test_truncated_image(tmp_path: Path, png_bytes: bytes) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(png_bytes[: len(png_bytes) // 2])
    with pytest.raises(InputError, match="decode"):
        list(raster.image_pages(path))
