#!/usr/bin/env python3
"""Rebuild samples/ (scanned-looking pages + truth texts) from samples/src/*.txt.

Deterministic: fixed seeds, no timestamps.  Usage: .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.synth.page import render_document  # noqa: E402
from pipeline.synth.parse import truth_text  # noqa: E402
from pipeline.synth.scan import Degradation, degrade, save_pdf  # noqa: E402

DPI = 300


def _read(src: Path, name: str) -> str:
    return (src / f"{name}.txt").read_text(encoding="utf-8")


def _write_truth(out: Path, name: str, text: str) -> None:
    (out / "truth").mkdir(parents=True, exist_ok=True)
    (out / "truth" / f"{name}.txt").write_text(truth_text(text), encoding="utf-8")


def make_bao_cao(src: Path, out: Path) -> Path:
    """2-page report as a scanner PDF (one grayscale JPEG per page)."""
    text = _read(src, "bao-cao-phuong")
    pages = render_document(text, dpi=DPI)
    if len(pages) != 2:
        raise SystemExit(f"bao-cao-phuong renders to {len(pages)} pages, expected 2")
    scans = [
        degrade(p, Degradation(rotation_deg=rot, noise=3.0, blur=0.7, background=6.0, speckles=0.00015), seed=11 + i)
        for i, (p, rot) in enumerate(zip(pages, (0.35, -0.25)))
    ]
    path = out / "bao-cao-phuong.pdf"
    save_pdf(scans, path, jpeg_quality=75)
    _write_truth(out, "bao-cao-phuong", text)
    return path


def make_quyet_dinh(src: Path, out: Path) -> Path:
    """One-page decision as a 1-bit PNG, like a bitonal office scanner."""
    text = _read(src, "quyet-dinh")
    (page,) = render_document(text, dpi=DPI)
    scan = degrade(
        page,
        Degradation(rotation_deg=-0.4, noise=12.0, blur=0.9, speckles=0.0003, bitonal=True, threshold=140),
        seed=21,
    )
    path = out / "quyet-dinh.png"
    scan.save(path, optimize=True, dpi=(DPI, DPI))
    _write_truth(out, "quyet-dinh", text)
    return path


def make_cong_van(src: Path, out: Path) -> Path:
    """One-page official letter, skewed ~3 degrees with a dark scanner border, JPEG."""
    text = _read(src, "cong-van")
    (page,) = render_document(text, dpi=DPI)
    scan = degrade(
        page,
        Degradation(rotation_deg=3.0, noise=3.0, blur=0.8, background=10.0, dark_border=6.0, speckles=0.0002),
        seed=31,
    )
    path = out / "cong-van-lech.jpg"
    scan.save(path, "JPEG", quality=70, dpi=(DPI, DPI))
    _write_truth(out, "cong-van-lech", text)
    return path


def make_ocr_cu(src: Path, out: Path) -> Path:
    """What an OCR without Vietnamese makes of a page: tesseract -l eng on the công văn."""
    text = _read(src, "cong-van")
    (page,) = render_document(text, dpi=DPI)
    scan = degrade(page, Degradation(noise=3.0, blur=0.7), seed=41)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory() as tmp:
        img = Path(tmp) / "page.png"
        scan.save(img, dpi=(DPI, DPI))
        res = subprocess.run(
            ["tesseract", str(img), "stdout", "-l", "eng", "--dpi", str(DPI)],
            capture_output=True, check=True, env=env,
        )
    ocr = res.stdout.decode("utf-8").replace("\f", "")
    ocr = "\n".join(ln.rstrip() for ln in ocr.splitlines()).strip() + "\n"
    path = out / "ocr-cu.txt"
    path.write_text(ocr, encoding="utf-8")
    _write_truth(out, "ocr-cu", text)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT / "samples" / "src")
    ap.add_argument("--out", type=Path, default=ROOT / "samples")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for make in (make_bao_cao, make_quyet_dinh, make_cong_van, make_ocr_cu):
        path = make(args.src, args.out)
        size = path.stat().st_size
        total += size
        print(f"{path.relative_to(args.out)}: {size / 1024:.0f} KiB")
    print(f"total: {total / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
