"""The figures of an archive (what a batch did, where the clerks' work is), kept in `OUT/.overview.json`.

They are computed once per run and then kept up to date, never recomputed from every JSON on a page view:

- `refresh(OUT)` runs at the end of every `vnocr process` (and when the review app finds no figures
  file): each document JSON whose size and mtime differ from those recorded is read again, the others
  keep their figures; the manifest, the run summary and the new lines of the audit log are read;
- `Figures.saved(...)` runs on every save of the review app (under its lock): the saved document's
  figures are replaced and the audit lines just appended are counted; the app then writes the file.

Both write the file atomically and hold `OUT/.review.lock` (the review app's save lock), so a run
finishing while clerks work loses no save. A document's figures come from its JSON as data: keys an
older or newer writer left out are read as absent.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..outputs import atomic_write_text, json_text
from .views import fields_of

log = logging.getLogger(__name__)

FILE = ".overview.json"
FORMAT = 1
REVIEW_LOCK = ".review.lock"
AUDIT = "audit.jsonl"
MANIFEST = "manifest.jsonl"
SUMMARY = "summary.json"
CONF_BINS = 10  # word confidence in tenths
PAGE_STAGES = ("raster", "preprocess", "ocr")
DOC_STAGES = ("repair", "structure")
STAGES = PAGE_STAGES + DOC_STAGES
DPI_BINS = (100, 150, 200, 300, 400)  # resolution classes: < 100, 100-149, ..., >= 400
MAX_FAILURES = 1000  # failures listed one by one (all are counted)
MAX_RAW = 2000  # characters of a manifest line kept
PLAIN_ENCODINGS = {"", "unicode", "utf-8", "utf8", "utf-16"}


@contextmanager
def review_lock(root: Path) -> Iterator[None]:
    """The review app's save lock on OUT (an flock, so servers and runs on one folder take turns)."""
    with open(Path(root) / REVIEW_LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- one document


@dataclass
class DocFigures:
    """What the overview needs of one document; `key` is its JSON's (mtime_ns, size) when read."""

    id: str
    name: str
    key: list[int]
    kind: str
    pages: int
    words: int
    flagged: int
    clerk: int  # words whose text a clerk set
    fields_left: int  # handwritten fill-ins of the header still flagged
    conf: list[int]  # words per tenth of confidence
    doc_type: str
    issuer: str
    date_iso: str
    seconds: float  # the pages' own seconds (analysis, preparation, OCR)
    timings: dict[str, float]  # seconds per stage; a stage absent was not recorded
    timed_pages: int  # pages whose stage seconds were recorded
    page_kinds: dict[str, int]  # 1-bit | grey | colour | photo | text
    text_layers: dict[str, int]  # none | e-signature | ocr-layer | born-digital
    marks: dict[str, int]  # low resolution | sealed | e-signed | legacy-encoded (<encoding>)
    dpi: dict[str, int]  # resolution class -> pages


DPI_CLASSES = [f"< {DPI_BINS[0]}", *(f"{a}-{b - 1}" for a, b in zip(DPI_BINS, DPI_BINS[1:])), f">= {DPI_BINS[-1]}"]


def dpi_class(dpi: int) -> str:
    return DPI_CLASSES[sum(1 for edge in DPI_BINS if dpi >= edge)]


def _count(counter: dict[str, int], key: str, n: int = 1) -> None:
    counter[key] = counter.get(key, 0) + n


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 0.0


def doc_figures(doc_id: str, data: dict[str, Any], key: list[int]) -> DocFigures:
    """The figures of one document JSON (as data)."""
    source = _dict(data.get("source"))
    structure = _dict(data.get("structure"))
    pages = [p for p in _list(data.get("pages")) if isinstance(p, dict)]
    words = [w for p in pages for ln in _list(p.get("lines")) if isinstance(ln, dict)
             for w in _list(ln.get("words")) if isinstance(w, dict)]
    conf = [0] * CONF_BINS
    for w in words:
        c = _number(w.get("conf"))
        conf[min(CONF_BINS - 1, int(c * CONF_BINS))] += 1
    timings: dict[str, float] = {}
    kinds: dict[str, int] = {}
    layers: dict[str, int] = {}
    marks: dict[str, int] = {}
    dpi: dict[str, int] = {}
    timed = 0
    signed_pages = {s.get("page") for s in _list(structure.get("e_signatures")) if isinstance(s, dict)}
    text_input = source.get("kind") == "text"
    for page in pages:
        stages = _dict(page.get("timings"))
        if stages:
            timed += 1
            for stage in PAGE_STAGES:
                if stage in stages:
                    timings[stage] = timings.get(stage, 0.0) + _number(stages[stage])
        info = _dict(page.get("preprocess"))
        kind = "text" if text_input else str(info.get("kind") or "")
        if kind:
            _count(kinds, kind)
        resolution = _dict(info.get("resolution")).get("dpi") or page.get("dpi")
        if not text_input and isinstance(resolution, int) and resolution > 0:
            _count(dpi, dpi_class(resolution))
        if "scale" in info:  # enlarged before reading: the page analysis found a low resolution
            _count(marks, "low resolution")
        layer = _dict(page.get("text_layer"))
        if layer.get("kind"):
            _count(layers, str(layer["kind"]))
        encoding = str(layer.get("encoding") or "").lower()
        if encoding not in PLAIN_ENCODINGS:
            _count(marks, f"legacy-encoded ({encoding})")
        if _list(page.get("seals")):
            _count(marks, "sealed")
        if _list(layer.get("e_signatures")) or page.get("number") in signed_pages:
            _count(marks, "e-signed")
    for stage, seconds in _dict(data.get("timings")).items():
        if stage in DOC_STAGES:
            timings[stage] = _number(seconds)
    fields = fields_of(structure)
    return DocFigures(
        id=doc_id,
        name=str(source.get("name") or doc_id.rsplit("/", 1)[-1]),
        key=list(key),
        kind=str(source.get("kind") or ""),
        pages=len(pages),
        words=len(words),
        flagged=sum(1 for w in words if w.get("flag") is True),
        clerk=sum(1 for w in words if w.get("source") == "clerk"),
        fields_left=sum(1 for w in words if w.get("fill_in") and w.get("flag") is True),
        conf=conf,
        doc_type=fields.doc_type,
        issuer=fields.issuer,
        date_iso=fields.date_iso,
        seconds=round(sum(_number(p.get("seconds")) for p in pages), 3),
        timings={k: round(v, 3) for k, v in timings.items()},
        timed_pages=timed,
        page_kinds=kinds,
        text_layers=layers,
        marks=marks,
        dpi=dpi,
    )


def is_document(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("pages"), list) and isinstance(data.get("source"), dict)


# --------------------------------------------------------------------------- the run: manifest and summary


@dataclass
class Failure:
    input: str
    error: str
    reason: str  # the error with its particulars (numbers, file names) taken out: what groups failures
    line: int  # 1-based line of OUT/manifest.jsonl
    raw: str  # that line


@dataclass
class RunFigures:
    inputs: int = 0
    ok: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # every failure counted, listed or not
    last_run: dict[str, Any] = field(default_factory=dict)  # OUT/summary.json (pages, seconds, pages_per_minute...)


_PARTICULARS = [
    (re.compile(r"(?<![\w-])(?:/|\.{1,2}/|[\w.-]+/)[^\s:;,()]*"), "FILE"),  # paths (`out/a.json`, `/tmp/x`)
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "N"),
    (re.compile(r"(?<![\w-])\d+(?:\.\d+)?\b"), "N"),
    (re.compile(r"'[^']*'|\"[^\"]*\""), "'…'"),
]


def reason_of(error: str) -> str:
    """`page 3: poppler did not finish rendering within 120 s` -> `page N: poppler did not finish rendering within N s`."""
    text = " ".join(error.split())
    for pattern, stand_in in _PARTICULARS:
        text = pattern.sub(stand_in, text)
    return text[:300]


def run_figures(root: Path) -> RunFigures:
    """The manifest's counts and failures (with their line numbers) and the last run's summary."""
    run = RunFigures()
    latest: dict[str, tuple[int, str, dict[str, Any]]] = {}
    try:
        lines = (root / MANIFEST).read_text("utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for number, raw in enumerate(lines, start=1):
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("input"), str):
            latest[entry["input"]] = (number, raw, entry)  # the last line of an input wins, as in the manifest
    for number, raw, entry in sorted(latest.values(), key=lambda found: found[0]):
        run.inputs += 1
        if entry.get("status") == "ok":
            run.ok += 1
        elif entry.get("status") == "error":
            run.failed += 1
            error = str(entry.get("error") or "unknown error")
            reason = reason_of(error)
            _count(run.reasons, reason)
            if len(run.failures) < MAX_FAILURES:
                run.failures.append(Failure(entry["input"], error, reason, number, raw[:MAX_RAW]))
    try:
        summary = json.loads((root / SUMMARY).read_text("utf-8"))
    except (OSError, ValueError):
        summary = {}
    if isinstance(summary, dict):
        keep = ("inputs", "ok", "failed", "skipped", "pages", "seconds", "pages_per_minute", "started", "finished",
                "jobs", "interrupted")
        run.last_run = {k: summary[k] for k in keep if k in summary}
    return run


# --------------------------------------------------------------------------- the clerks: audit.jsonl


@dataclass
class ReviewLog:
    """The audit log counted per day and per clerk; `offset`: the bytes of it already counted."""

    offset: int = 0
    days: dict[str, dict[str, int]] = field(default_factory=dict)
    clerks: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, record: dict[str, Any]) -> None:
        """One audit line: a word corrected (or a batch fix), confirmed, or undone; a field when it is a fill-in."""
        action = record.get("action")
        if action in ("correct", "batch"):
            what = "corrected" if record.get("before") != record.get("after") else "confirmed"
        elif action in ("confirm", "undo"):
            what = "confirmed" if action == "confirm" else "undone"
        else:
            return
        day = str(record.get("when") or "")[:10] or "unknown"
        who = " ".join(str(record.get("who") or "unknown").split())[:60]
        for counts in (self.days.setdefault(day, {}), self.clerks.setdefault(who, {})):
            _count(counts, what)
            if record.get("field") and what != "undone":
                _count(counts, "fields")

    def read(self, path: Path) -> None:
        """Count the lines appended since the last read (from the start when the log was replaced)."""
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if size < self.offset:
            self.offset, self.days, self.clerks = 0, {}, {}
        if size == self.offset:
            return
        with open(path, "rb") as fh:
            fh.seek(self.offset)
            chunk = fh.read(size - self.offset)
        end = chunk.rfind(b"\n") + 1  # a line still being written waits for the next read
        for raw in chunk[:end].splitlines():
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                self.add(record)
        self.offset += end


# --------------------------------------------------------------------------- the whole


@dataclass
class Figures:
    documents: dict[str, DocFigures] = field(default_factory=dict)
    run: RunFigures = field(default_factory=RunFigures)
    review: ReviewLog = field(default_factory=ReviewLog)
    updated: str = ""  # when a run or a save last changed them (ISO 8601)

    def to_json(self) -> str:
        return json_text({"format": FORMAT, **asdict(self)}, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Figures:
        """Raises ValueError (or TypeError, KeyError) when the text is not a figures file of this format."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a figures file of this format")
        run = dict(data["run"])
        run["failures"] = [Failure(**f) for f in run.get("failures", [])]
        return cls(
            documents={k: DocFigures(**v) for k, v in data["documents"].items()},
            run=RunFigures(**run),
            review=ReviewLog(**data["review"]),
            updated=str(data.get("updated", "")),
        )

    def saved(self, root: Path, doc_id: str, data: dict[str, Any], json_path: Path, when: str) -> None:
        """After a save (the review lock held): the document's new figures and the audit lines just written."""
        st = json_path.stat()
        self.documents[doc_id] = doc_figures(doc_id, data, [st.st_mtime_ns, st.st_size])
        self.review.read(Path(root) / AUDIT)
        self.updated = when


def path_of(root: Path) -> Path:
    return Path(root) / FILE


def read(root: Path) -> Figures | None:
    """The figures file, or None when there is none (or it is unreadable: then it is rebuilt)."""
    try:
        return Figures.from_json(path_of(root).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("%s: unreadable (%s); the figures are computed again", path_of(root), exc)
        return None


def write(root: Path, figures: Figures) -> None:
    atomic_write_text(path_of(root), figures.to_json())


def _json_files(root: Path) -> Iterator[Path]:
    """Every JSON under OUT outside hidden folders and files (as the review app lists documents)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".json") and not name.startswith("."):
                path = Path(dirpath) / name
                if path.resolve().is_relative_to(root):
                    yield path


def rescan(root: Path, figures: Figures | None) -> Figures:
    """The figures brought up to date with OUT: documents changed since they were read are read again."""
    root = Path(root).resolve()
    known = figures.documents if figures else {}
    documents: dict[str, DocFigures] = {}
    for path in _json_files(root):
        doc_id = path.relative_to(root).with_suffix("").as_posix()
        try:
            st = path.stat()
        except OSError:
            continue
        key = [st.st_mtime_ns, st.st_size]
        old = known.get(doc_id)
        if old is not None and old.key == key:
            documents[doc_id] = old
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            log.info("%s: not a readable JSON, not counted", path)
            continue
        if is_document(data):
            documents[doc_id] = doc_figures(doc_id, data, key)
    review = figures.review if figures else ReviewLog()
    review.read(root / AUDIT)
    return Figures(documents, run_figures(root), review, datetime.now(timezone.utc).isoformat(timespec="seconds"))


def refresh(root: Path) -> Figures:
    """Bring `OUT/.overview.json` up to date (under the review lock) and return the figures."""
    root = Path(root).resolve()
    with review_lock(root):
        figures = rescan(root, read(root))
        write(root, figures)
    return figures
