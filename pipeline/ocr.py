"""OCR: Tesseract (pytesseract `image_to_data`) -> lines of words with boxes and confidences, in reading order.

Reading order handles the two-column bands of administrative documents (issuer
and number on the left, motto and date on the right at the top; recipients on
the left, signature on the right at the bottom): inside such a band the left
column's lines come before the right column's, never interleaved.
"""

from __future__ import annotations

import os
import signal
import statistics
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from .ingest import InputError
from .model import Line, Word
from .settings import DEFAULT_LANG, DEFAULT_PSM


@dataclass
class OcrWord:
    text: str
    conf: float
    box: tuple[int, int, int, int]
    key: tuple[int, int, int]  # block, paragraph, line as Tesseract grouped them


def tesseract_version() -> str:
    return str(pytesseract.get_tesseract_version()).split()[0]


def _exit_reason(status: object) -> str:
    """`killed by SIGFPE` for a crash (negative status), else `status N`."""
    if isinstance(status, int) and status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            pass
    return f"status {status}"


def run_tesseract(
    gray: np.ndarray, lang: str = DEFAULT_LANG, psm: int = DEFAULT_PSM, dpi: int = 300, timeout: float = 0
) -> list[OcrWord]:
    """One Tesseract run (one thread) on a grayscale page; the words it read.

    The page goes to Tesseract as a 1-bit PBM when it is black and white, else as a BMP: Leptonica reads
    both several times faster than a PGM (0.2-0.3 s a page), and Tesseract reads the same pixels."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="vnocr-") as tmp:
        binary = cv2.countNonZero(cv2.inRange(gray, 1, 254)) == 0
        path = Path(tmp) / ("page.pbm" if binary else "page.bmp")
        cv2.imwrite(str(path), gray)
        try:
            data = pytesseract.image_to_data(
                str(path),
                lang=lang,
                config=f"--psm {psm} --dpi {dpi}",
                output_type=pytesseract.Output.DICT,
                timeout=timeout,
            )
        except pytesseract.TesseractError as exc:  # a RuntimeError too: it must come first
            detail = str(exc.message).strip()[:200]
            raise InputError(f"Tesseract failed ({_exit_reason(exc.status)})" + (f": {detail}" if detail else "")) from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise InputError(f"Tesseract did not finish within {timeout:.0f} s") from exc
            raise InputError(f"Tesseract failed: {exc}") from exc
    words = []
    for i, text in enumerate(data["text"]):
        text = unicodedata.normalize("NFC", (text or "").strip())
        if not text or data["level"][i] != 5:
            continue
        x, y, w, h = data["left"][i], data["top"][i], data["width"][i], data["height"][i]
        conf = max(0.0, min(1.0, float(data["conf"][i]) / 100))
        words.append(OcrWord(text, conf, (x, y, x + w, y + h), (data["block_num"][i], data["par_num"][i], data["line_num"][i])))
    return words


def _split_at_gaps(words: list[OcrWord]) -> list[list[OcrWord]]:
    """Tesseract sometimes reads across the two header columns as one line: cut such a line at its wide gap."""
    words = sorted(words, key=lambda w: w.box[0])
    height = statistics.median(w.box[3] - w.box[1] for w in words)
    parts: list[list[OcrWord]] = [[words[0]]]
    for prev, word in zip(words, words[1:]):
        if word.box[0] - prev.box[2] > 3.0 * max(height, 8):
            parts.append([])
        parts[-1].append(word)
    return parts


def _bbox(words: list[OcrWord]) -> tuple[int, int, int, int]:
    return (
        min(w.box[0] for w in words),
        min(w.box[1] for w in words),
        max(w.box[2] for w in words),
        max(w.box[3] for w in words),
    )


def _column(box: tuple[int, int, int, int], left: int, right: int) -> str:
    width = max(right - left, 1)
    x0, x1 = (box[0] - left) / width, (box[2] - left) / width
    if x1 < 0.55 and x0 < 0.30:
        return "left"
    if x0 > 0.35 and x1 > 0.60:
        return "right"
    return "full"


def reading_order(groups: list[tuple[tuple[int, int, int, int], str, object]]) -> list[int]:
    """Indices of (box, column, payload) items in reading order.

    Lines are taken top to bottom; a run of consecutive left/right (not
    full-width) lines forms a two-column band, read left column first, then right.
    """
    order = sorted(range(len(groups)), key=lambda i: ((groups[i][0][1] + groups[i][0][3]) / 2, groups[i][0][0]))
    result: list[int] = []
    band: list[int] = []

    def flush() -> None:
        result.extend(i for i in band if groups[i][1] == "left")
        result.extend(i for i in band if groups[i][1] == "right")
        band.clear()

    for i in order:
        if groups[i][1] == "full":
            flush()
            result.append(i)
        else:
            band.append(i)
    flush()
    return result


def page_lines(words: list[OcrWord], page: int) -> list[Line]:
    """Group a page's words into lines (split at column gaps), in reading order, as model Lines."""
    if not words:
        return []
    by_key: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        by_key.setdefault(w.key, []).append(w)
    left = min(w.box[0] for w in words)
    right = max(w.box[2] for w in words)
    groups = []
    for key, members in by_key.items():
        for part in _split_at_gaps(members):
            box = _bbox(part)
            groups.append((box, _column(box, left, right), (key, part)))
    lines: list[Line] = []
    paragraph, last_key = 0, None
    count = 0
    for index in reading_order(groups):
        box, column, (key, part) = groups[index]
        if key[:2] != last_key:
            paragraph += 1
            last_key = key[:2]
        line_id = f"p{page}-l{len(lines) + 1}"
        line_words = []
        for w in part:
            count += 1
            line_words.append(Word(id=f"p{page}-w{count}", ocr=w.text, text=w.text, conf=round(w.conf, 3), page=page, line=line_id, bbox=w.box))
        lines.append(Line(id=line_id, page=page, words=line_words, bbox=box, block=key[0], paragraph=paragraph, column=column))
    return lines
