"""The project's own corpus of administrative Vietnamese and its held-out split."""

from __future__ import annotations

import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "corpus" / "documents"


def is_heldout(name: str) -> bool:
    """One document in ten, chosen by a hash of its file name, is held out: training never sees it."""
    return zlib.crc32(Path(name).name.encode("utf-8")) % 10 == 0


def documents(heldout: bool) -> list[Path]:
    return sorted(p for p in CORPUS_DIR.glob("*.txt") if is_heldout(p.name) == heldout)
