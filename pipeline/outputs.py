"""Outputs: where they go, atomic file writes, the document JSON and text, the schema, the manifest."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputError
from .model import Document

if TYPE_CHECKING:
    from .ingest.files import InputFile
    from .settings import Settings


def output_paths(item: InputFile, out_dir: Path, settings: Settings) -> tuple[Path, Path | None]:
    """Where an input's document JSON goes (its .txt beside it) and its page images (None: not kept)."""
    json_path = out_dir / item.relative.parent / (item.relative.name + ".json")
    images_dir = json_path.with_name(item.relative.name + ".pages") if settings.page_images else None
    return json_path, images_dir


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one, never a part.

    A failure (a full disk, a read-only folder) raises `OutputError` naming `path`; a temporary file that
    cannot even be removed then is removed by the next run (`batch.runner.claim`)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; the archive is read as the umask allows
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from exc
        raise


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(data: Any, **options: Any) -> str:
    """JSON text that encodes to UTF-8: a file name's undecodable bytes (lone surrogates, as `os.fsdecode`
    gives them) are written as `\\udcXX` escapes, which read back to the same name; all else as itself."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json_text(data, indent=1) + "\n")


@cache
def document_schema() -> dict[str, Any]:
    return json.loads(resources.files("pipeline").joinpath("schema/document.schema.json").read_text("utf-8"))


def validate_document(data: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when `data` is not a valid document JSON."""
    import jsonschema  # here: the batch process, which validates nothing, starts faster without it

    jsonschema.validate(data, document_schema(), format_checker=jsonschema.FormatChecker())


def write_document(doc: Document, json_path: Path, validate: bool = True) -> None:
    """Write the document's clean text (same stem, .txt) and its JSON, each atomically, the JSON last: a JSON in
    OUT always has its text beside it (a run stopped between the two leaves a text newer than its JSON, which
    the next run does again).

    `validate` checks the JSON against the schema first (nothing is written when it fails);
    the batch path skips it for speed, and the tests validate everything it writes. The JSON is compact
    (no indentation: the C encoder, ten times faster than the indenting one, and a third smaller)."""
    text = json_text(doc.to_dict(), separators=(",", ":")) + "\n"
    if validate:
        validate_document(json.loads(text))
    atomic_write_text(json_path.with_suffix(".txt"), doc.text.rstrip("\n") + "\n")
    atomic_write_text(json_path, text)


def read_document(json_path: Path) -> Document:
    return Document.from_dict(json.loads(json_path.read_text("utf-8")))


@dataclass
class ManifestEntry:
    input: str
    output: str | None
    status: str  # ok | error | skipped
    error: str | None
    pages: int
    seconds: float
    sha256: str | None = None
    settings: str | None = None
    warnings: list[str] | None = None  # pages hardly read: `page 3: ...`


@dataclass
class Outcome:
    """What processing one input gave: its manifest entry, and its word counts for the run summary."""

    entry: ManifestEntry
    words: int = 0
    low_conf: int = 0
    conf_sum: float = 0.0


class Manifest:
    """`OUT/manifest.jsonl`: one line per input.

    Lines are appended (and fsynced) as inputs finish, so a killed run loses at
    most the line being written; `compact()` rewrites the file atomically with
    exactly one line per input (the last one written wins) and drops a torn
    final line.
    """

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / "manifest.jsonl"

    def entries(self) -> dict[str, ManifestEntry]:
        found: dict[str, ManifestEntry] = {}
        if not self.path.exists():
            return found
        for raw in self.path.read_text("utf-8", errors="replace").splitlines():
            try:
                entry = ManifestEntry(**json.loads(raw))
            except (ValueError, TypeError):
                continue
            found[entry.input] = entry
        return found

    def append(self, entry: ManifestEntry) -> None:
        line = json_text(asdict(entry)) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size:
                with open(self.path, "rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    if fh.read(1) != b"\n":
                        line = "\n" + line
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:  # a torn line this leaves is dropped by `compact()`
            raise _cannot_write(self.path, exc) from exc

    def compact(self) -> None:
        entries = self.entries()
        if not entries and not self.path.exists():
            return
        text = "".join(json_text(asdict(e)) + "\n" for e in entries.values())
        atomic_write_text(self.path, text)
