"""E-signature boxes: the small stamped boxes a digital signature leaves on a published document.

"Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi / Cơ quan: Tỉnh Quảng Ngãi / Thời gian ký: 24/01/2025
14:23:43", or unlabelled: "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC / ttcbth@quangngai.gov.vn /
24.01.2025 20:06:24 +07:00". They come as vector text over the scan (the PDF's text layer) or as
part of the image (OCR'd lines). Either way they are parsed into fields and kept out of the
letter's header, body and reading order.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import BBox, Document, Line, Page, union
from ..text.vietnamese import fold, is_syllable
from .patterns import NATIONAL, SLOGAN, find_date, find_number, locate

if TYPE_CHECKING:
    from ..image.poppler import TextBlock

LABELS = (  # folded, lower case; the field each label opens
    (re.compile(r"\b(?:ky boi|nguoi ky|ky so boi)\s*:?"), "signer"),
    (re.compile(r"\bco quan\s*:?"), "organization"),
    (re.compile(r"\be-?mail\s*:?"), "email"),
    (re.compile(r"\bdia chi\s*:?"), "address"),
    (re.compile(r"\bthoi gian(?: ky)?\s*:?"), "time"),
)
_PUNCT = ".,;:!?()[]\"'“”-"
# a signing label, the name of the gazette's office that e-signs what it publishes (its first letters may be
# lost, `ÂM CÔNG BẢO` at 100 dpi, or its middle, `TRUNG TÂM CÔNG TY, BẢO VÀ TÍN HỌC`; the box's email and time
# are small print a scan often loses), or the time zone a signing time ends with
ANCHOR = re.compile(r"\b(?:ky boi|nguoi ky|thoi gian ky|ky so boi|cong thong tin dien tu|bao va tin hoc)\b|\bt?am cong bao\b|\+\s?07:00\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# an e-mail address whose @ a scan's OCR misread (`ttcbth()quangngai.gov.vn`, `ttcbth(đquangngaI.gov.vn`): no name's
ADDRESS = re.compile(r"\S*[\w)]\.(?:gov|com|edu|org|net|vn)\b\S*", re.IGNORECASE)
TIME = re.compile(
    r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})[ ,]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?:\s*([+-])\s*(\d{2}):?(\d{2}))?"
)


@dataclass
class ESignature:
    signer: str | None
    organization: str | None
    email: str | None
    time: str | None  # ISO 8601
    page: int
    bbox: BBox | None
    source: str  # text-layer | ocr
    text: list[str] = field(default_factory=list)  # the box's lines as read
    lines: list[str] = field(default_factory=list)  # ids of OCR'd lines it covers


def iso_time(text: str) -> str | None:
    """`24.01.2025 20:06:24 +07:00` -> `2025-01-24T20:06:24+07:00`; None when no valid time is there."""
    m = TIME.search(text)
    if not m:
        return None
    day, month, year, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    try:
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError:  # 30.02, 31.04, a 29.02 outside a leap year, 24:00
        return None
    iso = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    if m.group(7):
        iso += f"{m.group(7)}{m.group(8)}:{m.group(9)}"
    return iso


def _clean(value: str) -> str | None:
    value = " ".join(value.replace(":", " ").split()).strip(" ,;.-")
    return value or None


def _without_address(text: str) -> str:
    return ADDRESS.sub(" ", EMAIL.sub(" ", text))


def is_esignature(text: str) -> bool:
    """Does this text read as an e-signature box (a signing label, or a signing time with seconds)?"""
    folded = fold(text).lower()
    return bool(ANCHOR.search(folded)) or bool(TIME.search(text) and (EMAIL.search(text) or len(text) < 120))


def parse(lines: list[str], page: int, bbox: BBox | None, source: str, line_ids: list[str] | None = None) -> ESignature:
    """The fields of one box from its lines (labelled or not)."""
    text = " ".join(" ".join(lines).split())
    folded = fold(text).lower()  # same length as `text`: positions carry over
    found = sorted((m.start(), m.end(), name) for pattern, name in LABELS for m in pattern.finditer(folded))
    values: dict[str, str] = {}
    rest = [text[: found[0][0]] if found else text]
    for i, (_, end, name) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else len(text)
        values.setdefault(name, text[end:stop])
    email = EMAIL.search(text)
    time = iso_time(text)
    leftover = _without_address(TIME.sub(" ", rest[0]))
    organization = _clean(_without_address(values.get("organization", ""))) or _clean(leftover)
    # an unlabelled box (`TRUNG TÂM CÔNG BÁO VÀ TIN HỌC / email / time`) is an organisation's own signature
    signer = _clean(_without_address(values.get("signer", ""))) if found else organization
    return ESignature(
        signer=signer,
        organization=organization,
        email=email.group(0) if email else None,
        time=time,
        page=page,
        bbox=bbox,
        source=source,
        text=list(lines),
        lines=list(line_ids or []),
    )


def _height(line: Line) -> int:
    return line.bbox[3] - line.bbox[1] if line.bbox else 0


def _print_height(line: Line) -> float:
    """The height of a line's print: the median of its words of two letters or digits or more (a seal's mark read
    beside them, `<ˆ`, makes the line's box taller than its print; a signing time's digits are print), else its box's."""
    words = [w.bbox[3] - w.bbox[1] for w in line.words if w.bbox and sum(c.isalnum() for c in w.text) >= 2]
    return statistics.median(words) if words else _height(line)


BOX_WIDTH = 0.45  # of the page's width, the most an e-signature box spans (0.23-0.27 on the real scans)
TINY = 0.6  # of the body's line height: print this small, in a line made tall by a seal's mark or garbage, joins a box


def _letterhead(text: str) -> bool:
    """The letter's own header lines, never an e-signature box's: the national title, the motto, the number, the
    date line. A 1-bit scan prints the header as small as a box's print, and a box grown into them took the header
    whole."""
    return bool(locate(text, NATIONAL) or locate(text, SLOGAN) or find_number(text) or find_date(text))


def ocr_boxes(page: Page) -> list[ESignature]:
    """E-signature boxes among a page's OCR'd lines: small print holding a signing label or time,
    with the small lines right above and below it that share its column (`BOX_WIDTH` of the page at most),
    the letter's own header lines aside (`_letterhead`)."""
    lines = [ln for ln in page.lines if ln.bbox and ln.words]
    if len(lines) < 3:
        return []
    body = statistics.median(_height(ln) for ln in lines)
    small = [ln for ln in lines if _height(ln) <= 0.85 * body]
    # the box's small print read as garbage (no word in it) may come out taller than it is: it joins a box, opens none
    garbled = [ln for ln in lines if ln not in small and not any(is_syllable(w.text.strip(_PUNCT).lower()) for w in ln.words)]
    # small print by its words' height too (a seal's mark read into a line makes its box tall): such a line may
    # open a box, and join one where it holds a label or an email (`Địa chỉ: 1A Nguyễn Công Trứ...`) or its print is
    # far smaller than the body's (TINY: labels a 1-bit scan garbled, `CS: šj Tỉnh Quảng Ngãi`)
    printed_small = [ln for ln in lines if ln not in small and _print_height(ln) <= 0.85 * body]
    anchors = small + printed_small
    labelled = [ln for ln in printed_small if EMAIL.search(ln.text) or any(p.search(fold(ln.text).lower()) for p, _ in LABELS)
                or _print_height(ln) <= TINY * body]
    joinable = [ln for ln in small + garbled + labelled if not _letterhead(ln.text)]
    widest = BOX_WIDTH * (page.width or max(ln.bbox[2] for ln in lines))
    taken: set[str] = set()
    boxes = []
    for anchor in anchors:
        if anchor.id in taken or not is_esignature(anchor.text):
            continue
        group = [anchor]
        x0, y0, x1, y1 = anchor.bbox
        grown = True
        while grown:
            grown = False
            for ln in joinable:
                if ln.id in taken or ln in group:
                    continue
                lx0, ly0, lx1, ly1 = ln.bbox
                overlap = min(x1, lx1) - max(x0, lx0)
                near = ly0 < y1 + 1.2 * body and ly1 > y0 - 1.2 * body
                if near and overlap > 0.3 * min(x1 - x0, lx1 - lx0) and max(x1, lx1) - min(x0, lx0) <= widest:
                    group.append(ln)
                    x0, y0, x1, y1 = min(x0, lx0), min(y0, ly0), max(x1, lx1), max(y1, ly1)
                    grown = True
        group.sort(key=lambda ln: ln.bbox[1])
        taken.update(ln.id for ln in group)
        read = [ln.text for ln in group if ln not in garbled or ln is anchor]  # the garbage is the box's, but says nothing
        boxes.append(parse(read, page.number, (x0, y0, x1, y1), "ocr", [ln.id for ln in group]))
    return boxes


def _boxes(blocks: list[TextBlock]) -> list[list[TextBlock]]:
    """The text layer's blocks, those of one e-signature box joined: a box's lines set far apart
    come as blocks of their own. A block holding a signing label or time takes in the short
    blocks right above and below it in its column, and theirs in turn."""
    groups: list[list[TextBlock]] = []
    taken: set[int] = set()
    for i, anchor in enumerate(blocks):
        if i in taken or not is_esignature(" ".join(anchor.lines)):
            continue
        group, box = [anchor], anchor.bbox
        pitch = (box[3] - box[1]) / max(1, len(anchor.lines))
        taken.add(i)
        grown = True
        while grown:
            grown = False
            for j, block in enumerate(blocks):
                b = block.bbox
                overlap = min(box[2], b[2]) - max(box[0], b[0])
                near = b[1] < box[3] + 1.5 * pitch and b[3] > box[1] - 1.5 * pitch
                short = all(len(line) <= 80 for line in block.lines)
                if j not in taken and near and short and overlap > 0.3 * min(box[2] - box[0], b[2] - b[0]):
                    group.append(block)
                    box = union([box, b])
                    taken.add(j)
                    grown = True
        groups.append(sorted(group, key=lambda b: b.bbox[1]))
    return groups + [[b] for j, b in enumerate(blocks) if j not in taken]


def text_layer(blocks: list[TextBlock], page: int, scale: float, over_scan: bool) -> dict[str, Any]:
    """What a PDF page's text layer holds: `none`, only `e-signature` boxes, another engine's
    `ocr-layer` over the scan, or `born-digital` text; with the boxes parsed and the rest of the
    text kept (for comparison, or for the born-digital reader to come)."""
    if not blocks:
        return {"kind": "none"}
    signatures, rest = [], []
    for group in _boxes(blocks):
        lines = [line for block in group for line in block.lines]
        if is_esignature(" ".join(lines)):
            bbox = tuple(round(v * scale) for v in union([b.bbox for b in group]))
            signatures.append(asdict(parse(lines, page, bbox, "text-layer")))  # type: ignore[arg-type]
        else:
            rest.extend(lines)
    kind = "e-signature" if not rest else "ocr-layer" if over_scan else "born-digital"
    record: dict[str, Any] = {"kind": kind, "e_signatures": signatures}
    if rest:
        record["text"] = "\n".join(rest)
    return record


def _overlaps(a: BBox, b: BBox) -> bool:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    area = (a[2] - a[0]) * (a[3] - a[1])
    return width > 0 and height > 0 and width * height > 0.5 * area


def find(doc: Document) -> list[dict[str, Any]]:
    """Every e-signature box of the document, as JSON-ready dicts: those of the PDF's text layer
    (with the OCR'd lines that repeat them, where the page was rendered with the box on it) and
    those read by the OCR in the page image."""
    found: list[dict[str, Any]] = []
    for page in doc.pages:
        layer = [dict(sig) for sig in page.text_layer.get("e_signatures", [])]
        lines = list(page.lines)
        for sig in layer:
            covered = [ln for ln in lines if ln.bbox and sig["bbox"] and _overlaps(ln.bbox, tuple(sig["bbox"]))]
            sig["lines"] = [ln.id for ln in covered]
            lines = [ln for ln in lines if ln not in covered]
        read = []
        for box in ocr_boxes(Page(page.number, lines)):
            # the same box read in the image beside its vector text (drawn a little apart): one signature
            twin = next((sig for sig in layer if sig["bbox"] and box.bbox and _touches(box.bbox, tuple(sig["bbox"]))), None)
            if twin is not None:
                twin["lines"] += box.lines
            else:
                read.append(asdict(box))
        found += layer + read
    return found


def _touches(a: BBox, b: BBox) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def signed_names(signatures: list[dict[str, Any]]) -> set[str]:
    """The signers and organisations of the e-signatures a PDF's text layer holds (born digital: spelled right)."""
    return {sig[key] for sig in signatures if sig.get("source") == "text-layer" for key in ("signer", "organization") if sig.get(key)}
