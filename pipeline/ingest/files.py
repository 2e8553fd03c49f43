"""Ingest: find the input files, tell their kind from their content, read text inputs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, MissingInput
from ..model import SourceInfo
from ..text import legacy

EXTENSION_KINDS = {
    ".pdf": "pdf",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".txt": "text",
}

KIND_NAMES = {"pdf": "a PDF", "tiff": "a TIFF image", "png": "a PNG image", "jpeg": "a JPEG image", "text": "text"}


@dataclass(frozen=True)
class InputFile:
    path: Path
    relative: Path  # where its outputs go under OUT, without suffix


def discover(inputs: list[Path]) -> list[InputFile]:
    """Files and folders (recursive) -> the supported files, each with its output stem.

    A file found under a folder `X` as `X/a/b.pdf` goes to `a/b`; a file given
    directly goes to `b`. Two inputs that would share a stem keep their
    extension in it (`b.pdf`, `b.png`) so that neither overwrites the other.
    """
    found: list[InputFile] = []
    for given in inputs:
        if given.is_dir():
            for path in sorted(p for p in given.rglob("*") if p.is_file()):
                rel = path.relative_to(given)
                if path.suffix.lower() in EXTENSION_KINDS and not any(part.startswith(".") for part in rel.parts):
                    found.append(InputFile(path, rel.with_suffix("")))
        elif given.exists():
            found.append(InputFile(given, Path(given.stem)))
        else:
            raise MissingInput(f"{given}: no such file or folder")
    stems: dict[Path, int] = {}
    for item in found:
        stems[item.relative] = stems.get(item.relative, 0) + 1
    return [
        InputFile(f.path, f.relative.with_name(f.path.name)) if stems[f.relative] > 1 else f for f in found
    ]


def sniff(head: bytes) -> str | None:
    """The kind of file these first bytes start, or None."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    return None


def identify(path: Path) -> SourceInfo:
    """Read the file once: its hash, size and kind, checked against its extension."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}") from exc
    if not data:
        raise InputError("the file is empty (0 bytes)")
    declared = EXTENSION_KINDS.get(path.suffix.lower())
    if declared is None:
        raise InputError(f"unsupported file type {path.suffix or '(no extension)'}")
    found = sniff(data[:2048])
    if declared == "text":
        if found is not None:
            raise InputError(f"the extension says text but the content is {KIND_NAMES[found]}; rename the file")
    elif found is None:
        raise InputError(f"the extension says {KIND_NAMES[declared]} but the content is not; the file is damaged or mislabelled")
    elif found != declared:
        raise InputError(f"the extension says {KIND_NAMES[declared]} but the content is {KIND_NAMES[found]}; rename the file")
    return SourceInfo(
        path=str(path),
        name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=declared,
        size=len(data),
        pages=0,
    )


def read_text(path: Path) -> tuple[str, str]:
    """A text input -> its text and the encoding found (see `decode_text`)."""
    return decode_text(path.read_bytes())


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text input: UTF-8 (with or without BOM), UTF-16 with a BOM, or a legacy Vietnamese
    encoding (TCVN3, VNI, VISCII; `text.legacy`), whose mojibake inside UTF-8 or UTF-16 is converted too.

    The encoding found: "utf-8" or "utf-16"; "tcvn3", "vni", "viscii" for legacy bytes (lines of several
    joined by "+", most lines first: "tcvn3+utf-8"); "utf-8+tcvn3" for UTF-8 text holding TCVN3 mojibake.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, container = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"broken UTF-16 text at byte {exc.start}") from exc
    else:
        try:
            text, container = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, container = legacy.decode_bytes(data)
    if "\x00" in text:
        raise InputError("the text contains NUL bytes; it is probably a binary file")
    if container not in ("utf-8", "utf-16"):
        return text, container
    fixed, found = legacy.fix_text(text)
    return fixed, f"{container}+{found}" if found else container
