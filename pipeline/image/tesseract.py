"""Tesseract, the one module that runs it: its version, one run on a page image, and its messages.

pytesseract runs `tesseract` with `image_to_data`; a failure (a crash, a broken
model, a timeout) becomes an `InputError` naming the reason, so the page's
file is recorded as failed and the batch goes on.
"""

from __future__ import annotations

import os
import signal
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from ..errors import InputError
from ..settings import DEFAULT_LANG, DEFAULT_PSM


Key = tuple[int, int, int]  # block, paragraph, line as Tesseract grouped a word


@dataclass
class OcrWord:
    text: str
    conf: float
    box: tuple[int, int, int, int]
    key: Key


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
    gray: np.ndarray, lang: str = DEFAULT_LANG, psm: int = DEFAULT_PSM, dpi: int = 300, timeout: float = 0,
    local_threshold: bool = False,
) -> list[OcrWord]:
    """One Tesseract run (one thread) on a grayscale page; the words it read. `local_threshold`:
    Tesseract thresholds with Sauvola's local method instead of Otsu's global one (a photo's light).

    The page goes to Tesseract as a 1-bit PBM when it is black and white, else as a BMP: Leptonica reads
    both several times faster than a PGM (0.2-0.3 s a page), and Tesseract reads the same pixels."""
    data = _run(
        pytesseract.image_to_data, gray, timeout, lang=lang,
        config=f"--psm {psm} --dpi {dpi}" + (" -c thresholding_method=2" if local_threshold else ""),
    )
    words = []
    for i, text in enumerate(data["text"]):
        text = unicodedata.normalize("NFC", (text or "").strip())
        if not text or data["level"][i] != 5:
            continue
        x, y, w, h = data["left"][i], data["top"][i], data["width"][i], data["height"][i]
        conf = max(0.0, min(1.0, float(data["conf"][i]) / 100))
        words.append(OcrWord(text, conf, (x, y, x + w, y + h), (data["block_num"][i], data["par_num"][i], data["line_num"][i])))
    return words


def _run(read: Callable[..., dict], gray: np.ndarray, timeout: float, **options: str) -> dict:
    """One run of Tesseract (`read`: pytesseract's `image_to_data` or `image_to_osd`) on a grayscale page, in
    one thread; its output as a dict. A failure is an `InputError` that names it."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="vnocr-") as tmp:
        path = Path(tmp) / ("page.pbm" if _black_and_white(gray) else "page.bmp")
        cv2.imwrite(str(path), gray)
        try:
            return read(str(path), output_type=pytesseract.Output.DICT, timeout=timeout, **options)
        except pytesseract.TesseractError as exc:  # a RuntimeError too: it must come first
            detail = str(exc.message).strip()[:200]
            raise InputError(f"Tesseract failed ({_exit_reason(exc.status)})" + (f": {detail}" if detail else "")) from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise InputError(f"Tesseract did not finish within {timeout:.0f} s") from exc
            raise InputError(f"Tesseract failed: {exc}") from exc
        except (UnicodeDecodeError, ValueError, KeyError, IndexError) as exc:  # its output is not the TSV it writes
            raise InputError(f"Tesseract wrote output that cannot be read ({type(exc).__name__}); is it a working Tesseract 4 or 5?") from exc


def turn_upright(gray: np.ndarray, dpi: int, timeout: float = 0) -> int:
    """The turn, clockwise in degrees (0, 90, 180 or 270), that Tesseract's orientation detection (`--psm 0`,
    its `osd` model) finds sets the page's text upright; 0 where it finds too little text to tell."""
    try:
        found = _run(pytesseract.image_to_osd, gray, timeout, config=f"--psm 0 --dpi {dpi}")
    except InputError as exc:
        if "too few characters" in str(exc).lower():
            return 0
        raise
    return int(found["rotate"]) % 360


def net_letters(words: list[OcrWord]) -> float:
    """How many more letters of a reading Tesseract expects right than wrong: each word's length weighed by
    2 x its confidence - 1. A line read with words missing scores less, and so does one read with doubtful
    specks added."""
    return sum((2 * w.conf - 1) * len(w.text) for w in words)


LINE_OVERLAP = 0.5  # share of the smaller box two lines of the two readings share to be the same print
OWN_BLOCKS = 100_000  # a line only the global reading found keeps its block, numbered apart from the local reading's
LINES_IN_PLACE = 100  # the global reading's lines that stand in a local line's place are numbered under it


def read_page(
    gray: np.ndarray, lang: str, psm: int, dpi: int, timeout: float = 0, both_ways: bool = False
) -> tuple[list[OcrWord], dict[str, int] | None]:
    """A prepared page read by Tesseract: once, or, where `both_ways` (a photo, a small JPEG enlarged:
    `Prepared.read_both_ways`) and the page is still in greys, with Tesseract's local (Sauvola) threshold and
    with its global (Otsu) one, the two merged line by line (`merge_lines`). Returns the words and how many
    lines each threshold gave (None for a page read once).

    Uneven light and blur favour neither threshold on every page, nor on every part of one: on the eval's 13
    phone photos of real pages, raw token F1 of the two differs by up to 0.21 either way (means 0.923 local,
    0.905 global). Line by line, vnocr's reading order went 0.927 -> 0.935 on the photos (against the reading
    of the whole page Tesseract was surer of), 0.950 -> 0.957 on the 100-dpi JPEGs and 0.935 -> 0.945 on the
    72-dpi ones (against the global threshold alone)."""
    if not both_ways or _black_and_white(gray):
        return run_tesseract(gray, lang, psm, dpi, timeout), None
    local = run_tesseract(gray, lang, psm, dpi, timeout, local_threshold=True)
    return merge_lines(local, run_tesseract(gray, lang, psm, dpi, timeout))


def _black_and_white(gray: np.ndarray) -> bool:
    return cv2.countNonZero(cv2.inRange(gray, 1, 254)) == 0


def merge_lines(local: list[OcrWord], otsu: list[OcrWord]) -> tuple[list[OcrWord], dict[str, int]]:
    """`local`'s words, each group of its lines that cover the same print as lines of `otsu` (`_same_print`)
    replaced by those where `otsu`'s hold more net letters (`net_letters`), under the key of the group's first
    local line; a line only `otsu` found is added where it holds more than none."""
    mine, theirs = by_line(local), by_line(otsu)
    groups = _groups(mine, theirs)
    kept: dict[Key, list[OcrWord]] = dict(mine)
    taken = 0
    for ours, others in groups:
        if net_letters([w for k in others for w in theirs[k]]) <= net_letters([w for k in ours for w in mine[k]]):
            continue
        first = min(ours) if ours else _own_block(min(others))
        for k in ours:
            del kept[k]
        for j, k in enumerate(sorted(others)):
            key = (first[0], first[1], first[2] * LINES_IN_PLACE + j)
            kept[key] = [OcrWord(w.text, w.conf, w.box, key) for w in theirs[k]]
        taken += len(others)
    return [w for words in kept.values() for w in words], {"local": len(kept) - taken, "global": taken}


def _own_block(key: Key) -> Key:
    return (OWN_BLOCKS + key[0], key[1], key[2])


def by_line(words: list[OcrWord]) -> dict[Key, list[OcrWord]]:
    """The words grouped by the line Tesseract read them in (their key), in the order read."""
    lines: dict[Key, list[OcrWord]] = {}
    for w in words:
        lines.setdefault(w.key, []).append(w)
    return lines


def _groups(mine: dict[Key, list[OcrWord]], theirs: dict[Key, list[OcrWord]]) -> list[tuple[list[Key], list[Key]]]:
    """The lines of the two readings in groups that cover the same print (linked by `_same_print`, transitively),
    as (keys of `mine`, keys of `theirs`); a line of `mine` alone is no group (it stays as it is)."""
    nodes = [("mine", k) for k in mine] + [("theirs", k) for k in theirs]
    parent = list(range(len(nodes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in _same_print([words_box(v) for v in mine.values()], [words_box(v) for v in theirs.values()]):
        parent[root(a)] = root(len(mine) + b)
    grouped: dict[int, list[tuple[str, Key]]] = {}
    for i, node in enumerate(nodes):
        grouped.setdefault(root(i), []).append(node)
    out = []
    for members in grouped.values():
        ours = [k for side, k in members if side == "mine"]
        others = [k for side, k in members if side == "theirs"]
        if others:
            out.append((ours, others))
    return out


def words_box(words: list[OcrWord]) -> tuple[int, int, int, int]:
    """The box around the words."""
    return min(w.box[0] for w in words), min(w.box[1] for w in words), max(w.box[2] for w in words), max(w.box[3] for w in words)


def _same_print(first: list[tuple[int, int, int, int]], second: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """The pairs (index in `first`, index in `second`) of lines whose boxes share at least LINE_OVERLAP of the
    smaller one (every pair at once: a photo of a textured desk can give a thousand lines)."""
    if not first or not second:
        return []
    a, b = np.array(first, dtype=np.int64)[:, None, :], np.array(second, dtype=np.int64)[None, :, :]
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    shared = np.where((width > 0) & (height > 0), width * height, 0)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(shared >= LINE_OVERLAP * np.minimum(_area(a), _area(b))))]


def _area(boxes: np.ndarray) -> np.ndarray:
    return np.maximum(1, (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1]))
