"""Born-digital PDFs: the `.txt` vnocr writes beside the text the PDF holds, and seconds per page.

The held-out documents of the project's corpus (`corpus/documents/`, never trained on) are laid out
as an office's word processor exports them (`pipeline/synth/digital.py`) and read with `--ocr auto`
(the layer judged, then read) and, on a few, `--ocr always` (every page OCR'd) for comparison; then
as legacy-encoded layers (TCVN3 and VNI mojibake, as pre-Unicode fonts' PDFs read), and as mixed
pages (a scanned paragraph pasted among the text). Printed: order-free token F1 against the
document's text and seconds per page, each row and the mean.

Usage: eval_digital.py [--docs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval_legacy import cp1252, encoders  # noqa: E402
from eval_real import token_f1  # noqa: E402

from pipeline.flow import read_document  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.synth.digital import born_digital_pdf  # noqa: E402
from pipeline.synth.page import render_document  # noqa: E402
from pipeline.synth.parse import truth_text  # noqa: E402
from pipeline.text import corpus  # noqa: E402

AUTO = Settings(page_images=True)
ALWAYS = Settings(page_images=True, ocr="always")


def read(pdf: Path, settings: Settings, images: Path) -> tuple[str, float, int, list[str]]:
    start = time.perf_counter()
    doc = read_document(pdf, settings, images)
    seconds = time.perf_counter() - start
    decisions = [p.text_layer.get("decision", {}).get("read", "?") for p in doc.pages]
    return doc.text, seconds / max(len(doc.pages), 1), len(doc.pages), decisions


def mojibake(family: str):
    """Text as a pre-Unicode font's PDF layer reads: its legacy codes shown as Windows-1252 (TCVN3 writes a
    capital with a tone mark as its small letter, as a .VnTime font without its capital twin does)."""
    codes = encoders()[family]
    return lambda text: cp1252(b"".join(codes.get(ch) or ch.encode("cp1252", errors="replace") for ch in text))


def scanned_paragraph(source: Path) -> tuple[str, Image.Image]:
    """A few body lines of another document rendered as a scan, cut to their ink: a pasted image."""
    lines = [ln for ln in source.read_text(encoding="utf-8").splitlines() if len(ln.split()) > 12][:2]
    page = np.asarray(render_document("\n".join(lines), dpi=300)[0])
    rows, cols = np.nonzero(page < 128)
    pad = 30
    crop = page[max(0, rows.min() - pad) : rows.max() + pad, max(0, cols.min() - pad) : cols.max() + pad]
    return "\n".join(lines), Image.fromarray(crop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=12, help="held-out documents to lay out (default: %(default)s)")
    args = parser.parse_args()
    sources = corpus.documents(heldout=True)[: args.docs]
    rows: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        images = folder / "images"
        images.mkdir()
        pasted, paste = scanned_paragraph(corpus.documents(heldout=True)[-1])
        variants = [("auto", None, None, AUTO), *((family, mojibake(family), None, AUTO) for family in ("tcvn3", "vni")),
                    ("mixed", None, paste, AUTO)]
        print(f"{'document':40s} {'variant':7s} {'pages':>5s} {'F1':>7s} {'no case':>7s} {'s/page':>7s}  decisions")
        for number, source in enumerate(sources):
            text = source.read_text(encoding="utf-8")
            truth = truth_text(text)
            chosen = variants + ([("always", None, None, ALWAYS)] if number < 3 else [])
            for name, encode, scan, settings in chosen:
                pdf = folder / f"{source.stem}-{name}.pdf"
                born_digital_pdf(text, pdf, encode=encode, scan_box=scan)
                got, seconds, pages, decisions = read(pdf, settings, images)
                want = truth + ("\n" + pasted if scan is not None else "")
                score, folded = token_f1(want, got), token_f1(want.lower(), got.lower())
                rows.setdefault(name, []).append((score, seconds, folded))
                print(f"{source.stem[:40]:40s} {name:7s} {pages:5d} {score:7.4f} {folded:7.4f} {seconds:7.2f}  {' '.join(decisions)}")
    print("\nmean token F1 and seconds per page by variant")
    for name, values in rows.items():
        print(f"  {name:7s} F1 {statistics.mean(v[0] for v in values):.4f} (min {min(v[0] for v in values):.4f}), "
              f"case ignored {statistics.mean(v[2] for v in values):.4f}  {statistics.mean(v[1] for v in values):.2f} s/page"
              f"  ({len(values)} documents)")


if __name__ == "__main__":
    main()
