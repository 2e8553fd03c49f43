"""Structure: the administrative layout of a document (the hook in the flow)."""

from __future__ import annotations

from .model import Document


def structure_document(doc: Document) -> Document:
    """For now: split lines into paragraphs and compose the clean text."""
    paragraphs: list[str] = []
    last = None
    for line in doc.lines():
        key = (line.page, line.paragraph)
        if key != last or not paragraphs:
            paragraphs.append(line.text)
            last = key
        else:
            paragraphs[-1] += "\n" + line.text
    doc.structure = {"paragraphs": paragraphs}
    doc.text = "\n\n".join(p for p in paragraphs if p)
    return doc
