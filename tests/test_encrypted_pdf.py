"""Encrypted PDFs: those with an owner password only (AES-256, AES-128, RC4; anyone may open them) are read
like any other; one that needs a user password fails with one clear line, no traceback. Real files made
with PIL and pypdf, read through `vnocr process`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from pipeline.errors import InputError
from pipeline.image import raster

from .conftest import load_valid_json, scan_pdf

OWNER_ONLY = [("aes256", "AES-256"), ("aes128", "AES-128"), ("rc4", "RC4-128")]
EXPECTED = ["ỦY BAN NHÂN DÂN", "Số: 125/BC-UBND", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO"]


def vnocr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=600)


def encrypt(data: bytes, path: Path, algorithm: str, user_password: str = "") -> Path:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="secret", algorithm=algorithm)
    with open(path, "wb") as fh:
        writer.write(fh)
    reader = PdfReader(path)
    assert reader.is_encrypted  # the file really is encrypted, and opens without a password or not
    return path


@pytest.fixture(scope="module")
def owner_only(tmp_path_factory, header_page) -> tuple[Path, Path, subprocess.CompletedProcess]:
    src = tmp_path_factory.mktemp("encrypted-in")
    scan = scan_pdf(header_page)
    for stem, algorithm in OWNER_ONLY:
        encrypt(scan, src / f"{stem}.pdf", algorithm)
    encrypt(scan_pdf(header_page, whole=False), src / "rendered.pdf", "AES-256")  # fills no page: poppler renders it
    out = tmp_path_factory.mktemp("encrypted-out")
    return src, out, vnocr("process", str(src), "-o", str(out))


def test_owner_password_only_pdfs_are_read(owner_only) -> None:
    _, out, result = owner_only
    assert result.returncode == 0, result.stderr
    assert "4 ok, 0 failed" in result.stderr
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert sorted(m["status"] for m in manifest) == ["ok"] * 4
    for stem in [s for s, _ in OWNER_ONLY] + ["rendered"]:
        data = load_valid_json(out / f"{stem}.json")
        assert data["source"]["kind"] == "pdf" and data["source"]["pages"] == 1
        page = data["pages"][0]
        assert page["preprocess"]["raster"] == ("rendered" if stem == "rendered" else "extracted"), stem
        assert page["text_layer"]["kind"] == "none"
        text = (out / f"{stem}.txt").read_text("utf-8")
        for expected in EXPECTED:
            assert expected in text, (stem, text)
        assert data["structure"]["date"] == "2025-03-14"


@pytest.mark.parametrize("stem", [s for s, _ in OWNER_ONLY])
def test_owner_password_only_pdf_gives_the_same_scan_as_the_plain_pdf(
    owner_only, header_page, tmp_path: Path, stem: str
) -> None:
    src, _, _ = owner_only
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(scan_pdf(header_page))
    (page,) = raster.pdf_pages(src / f"{stem}.pdf")
    (unencrypted,) = raster.pdf_pages(plain)
    assert (page.how, page.dpi, page.stated) == ("extracted", 300, True)
    assert page.image.size == header_page.size
    assert page.image.tobytes() == unencrypted.image.tobytes()  # decrypted bit for bit


@pytest.fixture(scope="module")
def locked(tmp_path_factory, header_page) -> tuple[Path, Path, subprocess.CompletedProcess]:
    src = tmp_path_factory.mktemp("locked-in")
    scan = scan_pdf(header_page)
    encrypt(scan, src / "locked.pdf", "AES-256", user_password="open-sesame")
    encrypt(scan, src / "locked-rc4.pdf", "RC4-128", user_password="open-sesame")
    encrypt(scan, src / "fine.pdf", "AES-128")
    out = tmp_path_factory.mktemp("locked-out")
    return src, out, vnocr("process", str(src), "-o", str(out))


def test_user_password_pdf_fails_with_one_clear_line(locked) -> None:
    src, out, result = locked
    assert result.returncode == 1, result.stderr  # some input failed: the batch's exit code
    assert "1 ok, 2 failed, 0 skipped" in result.stderr
    assert "Traceback" not in result.stderr and "please report it" not in result.stderr
    manifest = {Path(m["input"]).name: m for m in map(json.loads, (out / "manifest.jsonl").read_text().splitlines())}
    assert manifest["fine.pdf"]["status"] == "ok"
    for name in ("locked.pdf", "locked-rc4.pdf"):
        entry = manifest[name]
        assert entry["status"] == "error" and entry["output"] is None and entry["pages"] == 0
        error = entry["error"]
        assert "\n" not in error and "password" in error and "encrypted" in error, error
        assert f"{name}: {error}" in result.stderr
        assert not (out / f"{Path(name).stem}.json").exists()
    assert "BÁO CÁO" in (out / "fine.txt").read_text("utf-8")


def test_user_password_pdf_is_an_input_error(locked) -> None:
    src, _, _ = locked
    with pytest.raises(InputError, match="encrypted and needs a password"):
        list(raster.pdf_pages(src / "locked.pdf"))


def test_process_one_locked_pdf_exits_1(tmp_path: Path, header_page) -> None:
    path = encrypt(scan_pdf(header_page), tmp_path / "only.pdf", "AES-256", user_password="x")
    result = vnocr("process", str(path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if "only.pdf" in line and "password" in line]
    assert failed, result.stderr
