"""vnocr beside bare Tesseract on real archive scans (`../shared/real-scans/`, skipped when absent).

For every page: both read the same image, the page rendered at 300 dpi as the folder's README sets
the baseline (`tesseract PAGE.png - -l vie --psm 3`). Printed per page: order-free token F1 of each
against the transcription in `real_truth/` where one exists, the preprocessing decisions vnocr
took, and seconds per page of each. The transcribed pages are also read as the low-resolution
JPEGs archives hold (72 and 100 dpi, the 72-dpi one wrongly stating 300 dpi, as such files do) and
as a phone photo of the sheet (1400 pixels high, seen at an angle on a desk, lit from one side).
Last, each whole PDF goes through `vnocr`'s reading as a user's file would: what its JSON says of
seals, e-signatures, text layers, number and date, and how many of its header and signature fields are
right. Then again as a scanned archive holds a file: its pages as a 300-dpi TIFF, as 100-dpi JPEGs
in an image-only PDF, and as a 200-dpi 1-bit TIFF (no text layer, no e-signature box's text: what a
held-out page image gives).

Usage: eval_real.py [--pages N] (only the first N pages of each file, for a quick look)
       [--transcribed | --files [--as-filed]]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.flow import read_document  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

SCANS = ROOT.parent / "shared" / "real-scans"
TRUTH = Path(__file__).resolve().parent / "real_truth"
SETTINGS = Settings(page_images=False)
EDGE = re.compile(r"^[^\w]+|[^\w]+$")


def tokens(text: str) -> Counter:
    """The page's words, each stripped of the punctuation around it, as a multiset."""
    words = (EDGE.sub("", w) for w in unicodedata.normalize("NFC", text).split())
    return Counter(w for w in words if w)


def token_f1(truth: str, text: str) -> float:
    want, got = tokens(truth), tokens(text)
    right = sum((want & got).values())
    if not right:
        return 0.0
    precision, recall = right / sum(got.values()), right / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def syllables(text: str) -> list[str]:
    words = (EDGE.sub("", w) for w in unicodedata.normalize("NFC", text).split())
    return [w for w in words if w]


def order_score(truth: str, text: str) -> float:
    """Whole-text syllable accuracy: 1 - (syllable edit distance / syllables of the truth); the order counts."""
    want = syllables(truth)
    return max(0.0, 1 - Levenshtein.distance(want, syllables(text)) / max(len(want), 1))


@dataclass
class Reading:
    name: str  # FILE-pN, with the variant after a colon
    bare: str
    vnocr: str
    bare_s: float
    vnocr_s: float
    decisions: str


def bare_tesseract(image: Path) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run(["tesseract", str(image), "-", "-l", "vie", "--psm", "3"], capture_output=True, text=True,
                          env=env, check=True).stdout


def decisions(info: dict) -> str:
    res = info.get("resolution", {})
    said = [f"{info.get('kind', '?')}", f"{res.get('dpi')}dpi({res.get('source')})"]
    if "scale" in info:
        said.append(f"x{info['scale']}")
    said.append("+".join(info.get("steps", [])) or "none")
    said += [f"-{step}" for step in info.get("skipped", {})]
    if info.get("turned"):
        said.append(f"turned {info['turned']}")
    return " ".join(said)


def read_image(name: str, image: Path) -> Reading:
    start = time.perf_counter()
    bare = bare_tesseract(image)
    bare_s = time.perf_counter() - start
    start = time.perf_counter()
    doc = read_document(image, SETTINGS)
    vnocr_s = time.perf_counter() - start
    return Reading(name, bare, doc.text, bare_s, vnocr_s, decisions(doc.pages[0].preprocess))


def phone_photo(page: np.ndarray, seed: int, height: int = 1400) -> np.ndarray:
    """A photo of the page (BGR): on a darker desk, its corners moved up to 5% of its width, the light
    falling from 65% to 100% across it, slightly soft; the camera states no resolution."""
    rng = np.random.default_rng(seed)
    width = round(height * 0.75)
    h = round(height * 0.86)
    w = round(h * page.shape[1] / page.shape[0])
    small = cv2.resize(page, (w, h), interpolation=cv2.INTER_AREA)
    desk = np.full((height, width, 3), (70, 85, 100), np.uint8) + rng.integers(0, 25, (height, width, 1)).astype(np.uint8)
    x, y = (width - w) / 2, (height - h) / 2
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    moved = np.float32([(cx + rng.uniform(-0.05, 0.05) * w, cy + rng.uniform(-0.05, 0.05) * w) for cx, cy in corners])
    matrix = cv2.getPerspectiveTransform(np.float32([(0, 0), (w, 0), (w, h), (0, h)]), moved)
    photo = cv2.warpPerspective(small, matrix, (width, height), borderMode=cv2.BORDER_TRANSPARENT, dst=desk)
    ys, xs = np.mgrid[0:height, 0:width]
    light = 0.65 + 0.35 * (0.6 * xs / width + 0.4 * ys / height)
    return cv2.GaussianBlur(np.clip(photo * light[..., None], 0, 255).astype(np.uint8), (3, 3), 0)


def read_page(pdf: Path, number: int) -> list[Reading]:
    """One page at 300 dpi; a transcribed page also as 100- and 72-dpi JPEGs and as a phone photo."""
    name = f"{pdf.stem}-p{number}"
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-r", "300", "-f", str(number), "-l", str(number), "-singlefile", "-png", str(pdf),
                        str(base)], check=True, capture_output=True)
        png = base.with_suffix(".png")
        readings = [read_image(name, png)]
        if (TRUTH / f"{name}.txt").exists():
            page = Image.open(png).convert("RGB")
            for dpi, stated in ((100, 100), (72, 300)):
                small = page.resize((round(page.width * dpi / 300), round(page.height * dpi / 300)), Image.LANCZOS)
                jpeg = Path(tmp) / f"d{dpi}.jpg"
                buffer = io.BytesIO()
                small.save(buffer, "JPEG", quality=75, dpi=(stated, stated))
                jpeg.write_bytes(buffer.getvalue())
                readings.append(read_image(f"{name}:{dpi}dpi-jpeg", jpeg))
            photo = Path(tmp) / "photo.jpg"
            cv2.imwrite(str(photo), phone_photo(cv2.imread(str(png)), number + len(pdf.stem)), [cv2.IMWRITE_JPEG_QUALITY, 80])
            readings.append(read_image(f"{name}:phone-photo", photo))
    return readings


FIELDS = ("number", "type", "date", "place", "issuer", "signer", "addressees")


def _same(value: object) -> object:
    """A field's value compared without case, spacing, list dashes, end punctuation or quote shapes."""
    if isinstance(value, list):
        return [_same(v) for v in value]
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value).casefold().strip().lstrip("-–+• ").rstrip(";.,")
    return re.sub(r"\s*/\s*", "/", " ".join(re.sub(r"[“”„‟]", '"', text).split()))


def found_fields(s: dict) -> dict[str, object]:
    return {
        "number": (s.get("number") or {}).get("text"),
        "type": s.get("doc_type"),
        "date": s.get("date"),
        "place": s.get("place"),
        "issuer": (s.get("issuer") or {}).get("name"),
        "signer": (s.get("signature") or {}).get("name"),
        "addressees": (s.get("recipients") or {}).get("addressees", []),
    }


FLAGGED_AS = {"type": "doc_type"}  # the name of an eval field in structure.fields


@dataclass
class FieldCheck:
    right: int
    expected: int
    wrong: str  # the wrong fields, what was found and what was wanted
    flags: Counter  # (right or wrong, flagged or not) -> fields


def field_check(name: str, s: dict) -> FieldCheck:
    """Fields right against real_truth/fields.json, and whether the parser flagged the wrong ones."""
    expected = json.loads((TRUTH / "fields.json").read_text("utf-8")).get(name)
    if expected is None:
        return FieldCheck(0, 0, "", Counter())
    got = found_fields(s)
    flags: Counter = Counter()
    wrong = []
    for key in FIELDS:
        right = _same(got[key]) == _same(expected[key])
        flagged = bool(s.get("fields", {}).get(FLAGGED_AS.get(key, key), {}).get("flag"))
        flags[("right" if right else "wrong", "flagged" if flagged else "not flagged")] += 1
        if not right:
            wrong.append(f"{key}={got[key]!r} (want {expected[key]!r})" + (" [flagged]" if flagged else ""))
    return FieldCheck(len(FIELDS) - len(wrong), len(FIELDS), "; ".join(wrong), flags)


FORMS = ("as filed", "300-dpi TIFF", "100-dpi JPEG PDF", "200-dpi 1-bit TIFF")
BITONAL_THRESHOLD = 160  # grey level below which a 1-bit scanner prints black: red seals come out black


def as_page_images(pdf: Path, form: str, folder: Path) -> Path:
    """The PDF's pages as an archive that scanned the paper would hold them: a multi-page 300-dpi TIFF, a 200-dpi
    1-bit one (CCITT G4, a scanner's black and white: red seals black), or 100-dpi JPEG pages (quality 75) in an
    image-only PDF. No text layer, no e-signature's text."""
    dpi = {"300-dpi TIFF": 300, "200-dpi 1-bit TIFF": 200}.get(form, 100)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(folder / "p")], check=True, capture_output=True)
    pages = []
    for png in sorted(folder.glob("p*.png")):
        page = Image.open(png).convert("RGB")
        page = page.resize((round(page.width * dpi / 300), round(page.height * dpi / 300)), Image.LANCZOS)
        if dpi == 200:
            page = page.convert("L").point(lambda v: 255 if v > BITONAL_THRESHOLD else 0).convert("1")
        elif dpi != 300:
            buffer = io.BytesIO()
            page.save(buffer, "JPEG", quality=75)
            page = Image.open(io.BytesIO(buffer.getvalue()))
        pages.append(page)
    if dpi == 100:
        out = folder / pdf.name
        pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    else:
        out = folder / f"{pdf.stem}.tif"
        pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], dpi=(dpi, dpi),
                      compression="group4" if dpi == 200 else "tiff_lzw")
    return out


def read_file(pdf: Path, form: str = FORMS[0]) -> tuple[str, FieldCheck]:
    """One whole PDF as vnocr reads it, as filed or as page images: what its JSON records beyond the words,
    and its fields checked."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            doc = read_document(pdf if form == FORMS[0] else as_page_images(pdf, form, Path(tmp)), SETTINGS)
        except Exception as exc:  # noqa: BLE001 - the report names the failure and goes on
            return f"{pdf.name:40} FAILED: {exc}", FieldCheck(0, len(FIELDS), "", Counter())
    s = doc.structure or {}
    seals = sum(len(p.seals) for p in doc.pages)
    layers = Counter(p.text_layer.get("kind", "none") for p in doc.pages)
    date = f"{s['date']} ({s.get('date_from')})" if s.get("date") else "-"
    number = (s.get("number") or {}).get("text", "-")
    signers = ", ".join(e.get("signer") or "?" for e in s.get("e_signatures", [])) or "-"
    check = field_check(pdf.name, s)
    return (f"{pdf.name:40} pages {len(doc.pages):2}  seals {seals}  text layers "
            f"{', '.join(f'{k}:{v}' for k, v in sorted(layers.items()))}  number {number}  "
            f"date {date}  e-signatures {signers}  fields {check.right}/{check.expected}"
            + (f"\n    wrong: {check.wrong}" if check.wrong else "")), check


def count_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages of each file")
    parser.add_argument("--transcribed", action="store_true", help="only the transcribed pages, and no whole files")
    parser.add_argument("--files", action="store_true", help="only the whole files and their fields")
    parser.add_argument("--as-filed", action="store_true", help="the whole files only as filed, not also as page images")
    args = parser.parse_args()
    if not SCANS.is_dir():
        print(f"real scans: {SCANS} is absent; skipped")
        return
    pdfs = sorted(SCANS.glob("*.pdf"))
    jobs = [(pdf, n) for pdf in pdfs for n in range(1, count_pages(pdf) + 1) if not args.pages or n <= args.pages]
    if args.transcribed:
        jobs = [(pdf, n) for pdf, n in jobs if (TRUTH / f"{pdf.stem}-p{n}.txt").exists()]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        pages = [] if args.files else [r for rs in pool.map(read_page, *zip(*jobs)) for r in rs]
        forms = [] if args.transcribed else FORMS if not args.as_filed else FORMS[:1]
        files = {form: list(pool.map(read_file, pdfs, [form] * len(pdfs))) for form in forms}

    print("Real archive pages, bare Tesseract (vie, psm 3) and vnocr on the same image; token F1 against real_truth/")
    print("and whole-text syllable accuracy (reading order counts)")
    print(f"{'page':52} {'bare':>6} {'vnocr':>6} {'diff':>7} {'order':>6} {'order':>6} {'bare s':>6} {'vnocr s':>7}  decisions")
    scored: dict[str, list[tuple[float, float, float, float]]] = {}
    for r in pages:
        truth_path = TRUTH / f"{r.name.split(':')[0]}.txt"
        if truth_path.exists():
            truth = truth_path.read_text("utf-8")
            bare, ours = token_f1(truth, r.bare), token_f1(truth, r.vnocr)
            bare_order, our_order = order_score(truth, r.bare), order_score(truth, r.vnocr)
            scored.setdefault(r.name.partition(":")[2] or "300dpi-png", []).append((bare, ours, bare_order, our_order))
            figures = f"{bare:6.3f} {ours:6.3f} {ours - bare:+7.3f} {bare_order:6.3f} {our_order:6.3f}"
        else:
            figures = f"{'':6} {'':6} {'':7} {'':6} {'':6}"
        print(f"{r.name:52} {figures} {r.bare_s:6.2f} {r.vnocr_s:7.2f}  {r.decisions}")
    print()
    for variant, rows in scored.items():
        bare, ours, bare_order, our_order = (sum(row[k] for row in rows) / len(rows) for k in range(4))
        worse = sum(1 for row in rows if row[1] < row[0] - 0.005)
        print(f"{variant:14} {len(rows):2} transcribed pages: mean token F1 bare {bare:.4f}  vnocr {ours:.4f}  "
              f"vnocr more than 0.005 below bare on {worse}; order bare {bare_order:.4f}  vnocr {our_order:.4f}")
    if pages:
        bare_s = sum(r.bare_s for r in pages) / len(pages)
        vnocr_s = sum(r.vnocr_s for r in pages) / len(pages)
        print(f"seconds per page: bare {bare_s:.2f}  vnocr {vnocr_s:.2f} ({vnocr_s / bare_s:.2f}x, repair and structure included)")
    print()
    for form, readings in files.items():
        print()
        print(f"Whole files {form}, as vnocr reads them; header and signature fields against real_truth/fields.json")
        for line, _ in readings:
            print(line)
        right, expected = sum(f[1].right for f in readings), sum(f[1].expected for f in readings)
        flags = sum((f[1].flags for f in readings), Counter())
        print(f"fields right, {form}: {right}/{expected} ({right / max(expected, 1):.0%}): {', '.join(FIELDS)}")
        print(f"flags: {flags['wrong', 'flagged']} of the {flags['wrong', 'flagged'] + flags['wrong', 'not flagged']} wrong "
              f"fields flagged; {flags['right', 'flagged']} of the {flags['right', 'flagged'] + flags['right', 'not flagged']} "
              "right ones")

if __name__ == "__main__":
    main()
