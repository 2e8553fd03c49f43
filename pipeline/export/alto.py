"""ALTO v4 XML, one file per page: the repaired text, word boxes and confidences, for archive systems.

`OUT/a/b.json` -> `DEST/a/b.alto/p001.xml`... Each String carries the current
text (CONTENT), its box (HPOS, VPOS, WIDTH, HEIGHT, in pixels of the page image
the boxes refer to), its confidence (WC), CS="true" when a clerk corrected it,
and as ALTERNATIVEs what the OCR read and the ranked suggestions. Pages read
from text have no boxes: their Strings carry no positions.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..model import BBox, Document, Page, union
from .common import AtomicFile, ExportReport, iter_documents
from .page import line_box, text_blocks

log = logging.getLogger(__name__)

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _xml_id(value: str, prefix: str) -> str:
    """A valid, readable xsd:ID from a data-model id (`p1-w3` stays `p1-w3`)."""
    clean = re.sub(r"[^\w.-]", "_", value)
    return clean if clean and (clean[0].isalpha() or clean[0] == "_") else f"{prefix}{clean}"


def _place(el: ET.Element, box: BBox | None) -> None:
    if box is None:
        return
    x0, y0, x1, y1 = box
    el.set("HPOS", str(x0))
    el.set("VPOS", str(y0))
    el.set("WIDTH", str(max(0, x1 - x0)))
    el.set("HEIGHT", str(max(0, y1 - y0)))


def _description(root: ET.Element, doc: Document, page: Page) -> None:
    desc = ET.SubElement(root, _q("Description"))
    ET.SubElement(desc, _q("MeasurementUnit")).text = "pixel"
    info = ET.SubElement(desc, _q("sourceImageInformation"))
    ET.SubElement(info, _q("fileName")).text = page.image or doc.source.path
    ident = ET.SubElement(info, _q("documentIdentifier"), {"documentIdentifierLocation": "sha256"})
    ident.text = doc.source.sha256
    step = ET.SubElement(desc, _q("Processing"), {"ID": "proc-vnocr"})
    ET.SubElement(step, _q("processingCategory")).text = "contentGeneration"
    if doc.created:
        ET.SubElement(step, _q("processingDateTime")).text = doc.created
    engines = ", ".join(f"{k} {v}" for k, v in sorted(doc.engine.items()) if k != "vnocr")
    ET.SubElement(step, _q("processingStepDescription")).text = (
        "OCR, then repair of Vietnamese tone and vowel marks" if doc.source.kind != "text" else "repair of Vietnamese tone and vowel marks in earlier OCR text"
    )
    software = ET.SubElement(step, _q("processingSoftware"))
    ET.SubElement(software, _q("softwareName")).text = "vnocr"
    ET.SubElement(software, _q("softwareVersion")).text = doc.engine.get("vnocr", __version__)
    ET.SubElement(software, _q("applicationDescription")).text = (
        "Scanned Vietnamese administrative documents to clean, accented, structured text" + (f" (with {engines})" if engines else "")
    )
    clerks = sorted({w.when or "" for w in doc.words() if w.page == page.number and w.source == "clerk"})
    if clerks:
        review = ET.SubElement(desc, _q("Processing"), {"ID": "proc-review"})
        ET.SubElement(review, _q("processingCategory")).text = "contentModification"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?", clerks[-1]):
            ET.SubElement(review, _q("processingDateTime")).text = clerks[-1]
        ET.SubElement(review, _q("processingStepDescription")).text = "corrections by clerks in vnocr review"
        sw = ET.SubElement(review, _q("processingSoftware"))
        ET.SubElement(sw, _q("softwareName")).text = "vnocr review"
        ET.SubElement(sw, _q("softwareVersion")).text = doc.engine.get("vnocr", __version__)


def page_alto(doc: Document, page: Page) -> ET.ElementTree:
    """The ALTO v4 tree of one page."""
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(_q("alto"), {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION, "SCHEMAVERSION": "4.2"})
    _description(root, doc, page)
    layout = ET.SubElement(root, _q("Layout"))
    words = [w for line in page.lines for w in line.words if w.text]
    attrs = {"ID": f"page{page.number}", "PHYSICAL_IMG_NR": str(page.number)}
    if page.width and page.height:
        attrs |= {"WIDTH": str(page.width), "HEIGHT": str(page.height)}
    if words:
        attrs["PC"] = f"{sum(w.conf for w in words) / len(words):.3f}"
    el_page = ET.SubElement(layout, _q("Page"), attrs)
    space = ET.SubElement(el_page, _q("PrintSpace"))
    _place(space, union([b for b in (line_box(line) for line in page.lines) if b]))
    for bi, lines in enumerate(text_blocks(page), 1):
        block = ET.SubElement(space, _q("TextBlock"), {"ID": f"p{page.number}-b{bi}", "LANG": "vi"})
        _place(block, union([b for b in (line_box(line) for line in lines) if b]))
        for line in lines:
            el_line = ET.SubElement(block, _q("TextLine"), {"ID": _xml_id(line.id, "l")})
            _place(el_line, line_box(line))
            previous = None
            for word in (w for w in line.words if w.text):
                if previous is not None:
                    sp = ET.SubElement(el_line, _q("SP"))
                    if previous.bbox and word.bbox and word.bbox[0] >= previous.bbox[2]:
                        sp.set("WIDTH", str(word.bbox[0] - previous.bbox[2]))
                        sp.set("HPOS", str(previous.bbox[2]))
                        sp.set("VPOS", str(min(previous.bbox[1], word.bbox[1])))
                string = ET.SubElement(el_line, _q("String"), {"ID": _xml_id(word.id, "w")})
                _place(string, word.bbox)
                string.set("CONTENT", word.text)
                string.set("WC", f"{min(1.0, max(0.0, word.conf)):.3f}")
                if word.source == "clerk":
                    string.set("CS", "true")
                    string.set("PROCESSINGREFS", "proc-review")
                if word.ocr and word.ocr != word.text:
                    ET.SubElement(string, _q("ALTERNATIVE"), {"PURPOSE": "ocr"}).text = word.ocr
                for alt in word.alternatives:
                    if alt and alt != word.text:
                        ET.SubElement(string, _q("ALTERNATIVE"), {"PURPOSE": "suggestion"}).text = alt
                previous = word
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def export_alto(out_dir: Path, dest: Path, note: Callable[[str], None] = log.info) -> ExportReport:
    report = ExportReport()
    for rel, _, doc in iter_documents(out_dir, report):
        folder = dest / (rel[: -len(".json")] + ".alto")
        if not any(w.bbox for w in doc.words()):
            note(f"{rel}: read from text, so no word positions; its ALTO carries text and confidences only")
        for page in doc.pages:
            path = folder / f"p{page.number:03d}.xml"
            with AtomicFile(path) as fh:
                page_alto(doc, page).write(fh, encoding="UTF-8", xml_declaration=True)
            report.written.append(path)
    return report
