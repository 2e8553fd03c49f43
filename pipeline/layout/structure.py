"""Structure: the administrative layout of a document (the hook in the flow).

rows (`rows`) -> header (`header`) -> body (`body`) -> footer (`footer`)
-> `Document.structure` (`fields`, as a dict). The clean text follows the
rows, in the page's reading order, whatever the parse made of them: the parse
annotates the text, it never reorders or drops it (only e-signature boxes and
printed page numbers, recorded apart, are left out).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, replace

from ..model import Document
from . import confidence, esign, fillins, footnotes, marks
from .copies import consolidation, copy_start, read_copy
from .body import breaks_before, parse_body
from .fields import Recipients, Structure
from .footer import footer_start, parse_footer
from .header import Header, parse_header
from .patterns import DOC_TYPES, NATIONAL, TYPE_OF_CODE, ends_sentence, fold, is_upper, join_lines, locate, marker_candidates
from .rows import Row, document_rows


def doc_type(header: Header) -> tuple[str | None, str | None]:
    """The document type and what told it: the title line, a `V/v` subject (a công văn, whose number
    carries no type code: `2191/CT-CS` is Cục Thuế's, not a chỉ thị's), or the number's type code."""
    if header.doc_type:
        return header.doc_type, "title"
    if header.subject_is_vv:
        return "CÔNG VĂN", "subject"
    if header.number and header.number.type_code in TYPE_OF_CODE:
        return TYPE_OF_CODE[header.number.type_code], "number"
    return None, None


def _from_authentication(header: Header, title: Row, head: list[Row]) -> None:
    """The consolidating body, its number, place and date, read from the head of the block that
    authenticates the text as a header is read."""
    found = parse_header(head)
    header.lines = {**header.lines, **found.lines, "doc_type": [title.line]}
    if found.issuer.name:
        header.issuer = found.issuer
    header.number = found.number or header.number
    if found.date_line:
        header.place, header.date, header.date_line = found.place, found.date or header.date, found.date_line


_APPENDIX = re.compile(r"PHU\s*LUC(?:\s+(?:[IVX]+|\d+|SO\s+\d+))?\s*[.:]?")  # folded


def attachment_start(rows: list[Row], footer: int) -> int:
    """Where a document attached after the signature begins (a draft resolution under a tờ trình, with
    its own national motto; an appendix, `Phụ lục`, opening a page): the footer ends there (len(rows)
    when nothing is attached)."""
    return next((i for i in range(footer + 1, len(rows)) if locate(rows[i].text, NATIONAL)
                 or (rows[i].page != rows[i - 1].page and _APPENDIX.fullmatch(fold(rows[i].text).strip()))), len(rows))


def reading_text(rows: list[Row]) -> str:
    """The rows as clean text, in their order: a blank line between paragraphs (and where the column
    changes), the wrapped lines of a body paragraph joined, each line of a column kept on its own."""
    text = ""
    previous: Row | None = None
    for row in rows:
        if previous is None:
            text = row.text
        elif row.column == "left" and previous.column == "full" and previous.full and not ends_sentence(previous.text) \
                and not marker_candidates(row.text):  # a paragraph's short last line, on the left half of the page
            text = join_lines(text, row.text)
        elif row.column != previous.column or (row.column == "full" and breaks_before(previous, row)):
            text += "\n\n" + row.text
        elif row.column == "full" and previous.full and not marker_candidates(row.text):
            text = join_lines(text, row.text)
        else:
            text += "\n" + row.text
        previous = row
    return text


def _without(doc: Document, skip: set[str]) -> Document:
    """The document seen without the lines in `skip` (e-signature boxes): a view, the document is not changed."""
    if not skip:
        return doc
    pages = [replace(page, lines=[ln for ln in page.lines if ln.id not in skip]) for page in doc.pages]
    return replace(doc, pages=pages)


HANDWRITING_DAYS = 7  # a handwritten date more than this before the signing day is a misreading
YEAR = 366  # days: a handwritten day and month misread move the date less than this from the signing day


def _signed(signatures: list[dict]) -> dt.date | None:
    """The first e-signature's signing day."""
    return next((dt.date.fromisoformat(sig["time"][:10]) for sig in signatures if sig.get("time")), None)


def _fits(date: str | None, signed: dt.date) -> bool:
    """The office signs the day it dates the document, or a day or two after: a handwritten date after
    the signing day, or more than a week before it, is a misreading."""
    return date is not None and 0 <= (signed - dt.date.fromisoformat(date)).days <= HANDWRITING_DAYS


def _date_fallback(date: str | None, handwritten: bool, signed: dt.date | None) -> tuple[str | None, str | None]:
    """The document's date and where it came from: the date line (`handwriting` when its day or month
    was written by hand and read by the digit reader), else the first e-signature's signing day (also
    when the handwriting does not fit it, unless the signing day is years from the date line: its year
    is printed, and a box read from the image misreads its year, `24.01.2035`, as often as a day)."""
    if date and handwritten and signed and not _fits(date, signed) and abs((signed - dt.date.fromisoformat(date)).days) <= YEAR:
        return signed.isoformat(), "e-signature"
    if date:
        return date, "handwriting" if handwritten else "date line"
    return (signed.isoformat(), "e-signature") if signed else (None, None)


def structure_document(doc: Document) -> Document:
    """Set `doc.structure` (the layout, JSON-able) and `doc.text` (clean text, blank line between blocks).

    E-signature boxes are parsed apart and kept out of the header, body and text."""
    signatures = esign.find(doc)
    lines = [line for page in doc.pages for line in page.lines]
    style = doc.settings.get("tone_style", "old")
    marks.lend_marks(lines, esign.signed_names(signatures), style)
    marks.lend_marks((line for line in lines if is_upper(line.text)), DOC_TYPES, style)
    marks.spell_date_words(lines)
    marks.spell_titles(lines, style)
    marks.spell_labels(lines)
    first_page = doc.pages[0].lines if doc.pages else []
    marks.spell_vv(first_page)
    marks.spell_number_label(first_page)
    signed = _signed(signatures)
    if signed:
        fillins.settle(lines, lambda date: _fits(date, signed))
    boxed = {line for sig in signatures for line in sig["lines"]}
    rows, page_numbers = document_rows(_without(doc, boxed))
    notes = footnotes.find(doc, boxed | {number.line for number in page_numbers})
    noted = {line for note in notes for line in note.lines}
    parsed = [row for row in rows if row.line not in noted]  # the text keeps the footnotes where they stand
    header = parse_header(parsed)
    end = footer_start(parsed, header.end)
    body = parse_body(parsed[header.end : end])
    attached = attachment_start(parsed, end)
    copied = copy_start(parsed, end, attached)
    footer = parse_footer(parsed[end:copied])
    copy = read_copy(parsed[copied:attached])
    kind, told_by = doc_type(header)
    consolidated = consolidation(parsed, header.end)
    if consolidated is not None:  # a consolidated text: its own fields are those of its authentication block
        kind, told_by = "VĂN BẢN HỢP NHẤT", "authentication"
        _from_authentication(header, *consolidated)
    written = fillins.fill_ins(doc.words())
    handwritten = any(f["field"] in ("day", "month") and f["value"] and f["source"] != "clerk" for f in written)
    date, date_from = _date_fallback(header.date, handwritten, signed)
    structure = Structure(
        issuer=header.issuer,
        motto=header.motto,
        number=header.number,
        place=header.place,
        date=date,
        date_from=date_from,
        date_line=header.date_line,
        doc_type=kind,
        doc_type_from=told_by,
        subject=header.subject,
        body=body,
        recipients=Recipients(header.addressees, footer.copies),
        signature=footer.signature,
        page_numbers=page_numbers,
        unplaced=header.unplaced + footer.unplaced,
        e_signatures=signatures,
        fill_ins=written,
        copy=asdict(copy) if copy else None,
        footnotes=[asdict(note) for note in notes],
    )
    doc.structure = asdict(structure)
    doc.structure["fields"] = confidence.fields(doc, doc.structure, {**header.lines, "signer": footer.signer_lines})
    confidence.flag_doubtful(doc, doc.structure["fields"])
    doc.text = reading_text(rows)
    return doc
