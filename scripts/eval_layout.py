"""Reading order and header and signature fields on renders of the project's held-out documents.

Each held-out document of `corpus/documents/` (never trained on; reports, plans, decisions, letters,
directives... of many voices) is rendered as a clean 300-dpi scan by `pipeline/synth/` and read by
vnocr. Printed per document: whole-text syllable accuracy of the `.txt` against the document's text
in reading order (the order counts), and which fields come out as the document prints them: number,
type, date line, issuer, subject, addressees, signer. The fields wanted are read from the document's
source by the renderer's own parser (`synth/parse.py`), not by the parser under test. Then the same
documents as poor scans (150 dpi, skewed, blurred, noisy, JPEG'd, as `make_ocr_pairs.py` makes its `vie`
pages): specks between the columns, a misread word of the date line, a name the signature's strokes hide.

The same documents are then given as an earlier OCR's text: each page read by Tesseract, with its
Vietnamese model (`-l vie`) and without it (`-l eng`: marks lost and letters garbled), the header's two
columns on one line, written out line by line as a `.txt` and read by vnocr as text (repair, then
structure).

Usage: eval_layout.py [--docs N]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval_real import _same, order_score  # noqa: E402

from pipeline.flow import read_document  # noqa: E402
from pipeline.image.tesseract import run_tesseract  # noqa: E402
from pipeline.layout.patterns import clean_item  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.synth.page import render_document  # noqa: E402
from pipeline.synth.parse import parse_document, truth_text  # noqa: E402
from pipeline.text import corpus, places  # noqa: E402

SETTINGS = Settings(page_images=False)
RANK = re.compile(rf"^{places.RANK} ")  # a rank before the name is not the name (as in real_truth/fields.json)


def wanted(text: str) -> dict[str, object]:
    doc = parse_document(text)
    addressees = [clean_item(re.sub(r"^Kính gửi\s*:?", "", line)) for line in doc.addressee]
    return {
        "number": re.sub(r"^Số\s*:\s*", "", doc.number[0]).replace(" ", "") if doc.number else None,
        "type": doc.doc_type[0] if doc.doc_type else ("CÔNG VĂN" if doc.vv else None),
        "date line": doc.date[0] if doc.date else None,
        "issuer": " ".join(doc.issuer) or None,
        "subject": " ".join(doc.subject or doc.vv) or None,
        "addressees": [a for a in addressees if a],
        "signer": RANK.sub("", doc.signature[-1]) if doc.signature else None,
    }


def found(s: dict) -> dict[str, object]:
    return {
        "number": (s.get("number") or {}).get("text"),
        "type": s.get("doc_type"),
        "date line": s.get("date_line"),
        "issuer": " ".join((s.get("issuer") or {}).get("lines") or []) or None,
        "subject": s.get("subject"),
        "addressees": (s.get("recipients") or {}).get("addressees", []),
        "signer": (s.get("signature") or {}).get("name"),
    }


def read(source: Path) -> tuple[str, float, list[str], int]:
    text = source.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        pages = render_document(text, dpi=300)
        path = Path(tmp) / "scan.tif"
        pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(300, 300), compression="tiff_lzw")
        return judged(source.stem, text, read_document(path, SETTINGS))


def read_poor(source: Path) -> tuple[str, float, list[str], int]:
    """The document as a poor scan: rendered at 150 dpi, skewed, blurred, noisy and JPEG'd as the OCR pairs' `vie`
    pages are (scripts/make_ocr_pairs.py), each page with its own seed."""
    import make_ocr_pairs as pairs

    from pipeline.synth.scan import degrade

    mode = pairs.MODES["vie"]
    text = source.read_text(encoding="utf-8")
    pages = []
    for k, page in enumerate(render_document(text, dpi=mode.dpi)):
        seed = pairs._seed(mode.name, source.stem, k)
        pages.append(degrade(page, pairs._degradation(mode, seed), seed).convert("L"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan.tif"
        pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(mode.dpi, mode.dpi), compression="tiff_lzw")
        return judged(source.stem, text, read_document(path, SETTINGS))


def read_old_ocr(job: tuple[Path, str]) -> tuple[str, float, list[str], int]:
    """The document as an earlier OCR in `lang` left it (`old_ocr_text`), read by vnocr as text."""
    source, lang = job
    text = source.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{source.stem}.txt"
        path.write_text(old_ocr_text(render_document(text, dpi=300), lang), encoding="utf-8")
        return judged(source.stem, text, read_document(path, SETTINGS))


def old_ocr_text(pages: list, lang: str) -> str:
    """Pages read by Tesseract in `lang`, one line of text per line it found, a blank line between its
    paragraphs, a form feed between pages."""
    out = []
    for page in pages:
        lines: list[str] = []
        last = None
        for word in run_tesseract(np.asarray(page.convert("L")), lang=lang, psm=3, dpi=300):
            if last is not None and word.key[:2] != last[:2]:
                lines.append("")
            if word.key == last:
                lines[-1] += " " + word.text
            else:
                lines.append(word.text)
            last = word.key
        out.append("\n".join(lines))
    return "\n\f".join(out)


def judged(stem: str, text: str, doc) -> tuple[str, float, list[str], int]:
    """Reading order against the document's text, and the fields that came out otherwise than it prints them."""
    want, got = wanted(text), found(doc.structure)
    wrong = [f"{k}={got[k]!r} (want {want[k]!r})" for k in want if _same(got[k]) != _same(want[k])]
    return stem, order_score(truth_text(text), doc.text), wrong, len(want)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=0, help="only the first N held-out documents")
    args = parser.parse_args()
    sources = corpus.documents(heldout=True)
    sources = sources[: args.docs] if args.docs else sources
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        report("Held-out documents rendered as clean scans: reading order and fields", list(pool.map(read, sources)))
        report("The same documents as poor scans (150 dpi, skewed, blurred, noisy, JPEG)", list(pool.map(read_poor, sources)))
        for lang, what in (("vie", "Tesseract vie"), ("eng", "Tesseract eng, no Vietnamese")):
            results = list(pool.map(read_old_ocr, [(source, lang) for source in sources]))
            report(f"The same documents as an earlier OCR's text ({what}), read as .txt", results)


def report(title: str, results: list[tuple[str, float, list[str], int]]) -> None:
    print(title)
    for name, order, wrong, _ in results:
        print(f"{name:10} order {order:.4f}  fields wrong {len(wrong)}" + (f": {'; '.join(wrong)}" if wrong else ""))
    total = sum(n for *_, n in results)
    right = total - sum(len(w) for _, _, w, _ in results)
    print(f"mean order {sum(r[1] for r in results) / len(results):.4f}; fields right {right}/{total} ({right / total:.1%})")


if __name__ == "__main__":
    main()
