"""The corpora repair learns from, and their held-out splits.

- the project's own administrative Vietnamese (`corpus/documents/`, written for vnocr);
- vn-legal (`../shared/corpora/vn-legal/docs.tar.xz`): 5,319 real legal and administrative
  documents, read straight from the archive (never unpacked into the repository).
"""

from __future__ import annotations

import os
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "corpus" / "documents"
LEGAL_DIR = Path(os.environ.get("VNOCR_LEGAL_CORPUS", ROOT.parent / "shared" / "corpora" / "vn-legal"))
LEGAL_ARCHIVE = LEGAL_DIR / "docs.tar.xz"


def is_heldout(name: str) -> bool:
    """One document in ten, chosen by a hash of its file name, is held out: training never sees it."""
    return zlib.crc32(Path(name).name.encode("utf-8")) % 10 == 0


def documents(heldout: bool) -> list[Path]:
    return sorted(p for p in CORPUS_DIR.glob("*.txt") if is_heldout(p.name) == heldout)


def legal_is_heldout(name: str) -> bool:
    """One vn-legal document in twenty, by a hash of its file name (a different hash from the own
    corpus's, so the two splits do not move together), is held out."""
    return zlib.adler32(Path(name).name.encode("utf-8")) % 20 == 7


def legal_documents(heldout: bool, archive: Path = LEGAL_ARCHIVE) -> Iterator[tuple[str, str]]:
    """(name, text) of each vn-legal document of the split, in archive order."""
    if not archive.exists():
        raise FileNotFoundError(
            f"{archive} is missing: the vn-legal corpus (see dictionaries/README.md for its sources) "
            "must sit at ../shared/corpora/vn-legal/ beside the project, or set VNOCR_LEGAL_CORPUS to its folder"
        )
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt") and legal_is_heldout(member.name) == heldout:
                fh = tar.extractfile(member)
                if fh is not None:
                    yield member.name, fh.read().decode("utf-8")
