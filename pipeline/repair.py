"""Repair: restore Vietnamese diacritics and fix OCR errors (the hook in the flow)."""

from __future__ import annotations

from .model import Document


def repair_document(doc: Document, tone_style: str = "old") -> Document:
    """For now the identity: words keep what the OCR read."""
    return doc
