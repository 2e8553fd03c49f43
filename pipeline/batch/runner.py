"""Batch: run the flow over an archive on a pool of workers; resumable, one bad file never stops the rest.

- Resume: an input whose content hash and settings match a finished output
  (its manifest line, or the output JSON itself) is skipped; `force` redoes it.
- Fault isolation: each input runs as a task in a worker process (see
  `pool.py`); an error, a crash or a hang costs that input only, and its error
  goes to the manifest.
- Large PDFs are split into page ranges spread over the workers; a last task
  joins the pages, repairs, structures and writes the document.
- Crash safety: outputs are written atomically, the manifest is appended
  (fsynced) as inputs finish and compacted to one line per input, stale temp
  files of a killed run are removed, and a lock keeps two runs out of one OUT.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import BatchError, OutputError, PoolError, UsageError
from ..ingest.files import InputFile, discover
from ..outputs import Manifest, ManifestEntry, Outcome, atomic_write_json, output_paths
from ..settings import Settings
from .progress import Reporter
from .tasks import FINISH_SECONDS_PER_PAGE, Split, file_task, finish_task, pages_task

log = logging.getLogger(__name__)

SPLIT_PAGES = 8  # PDFs with more pages are spread over the workers in ranges of this many pages
LOCK_NAME = ".vnocr.lock"


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- the summary


@dataclass
class Summary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    inputs: int = 0
    pages: int = 0
    words: int = 0
    low_conf: int = 0
    conf_sum: float = 0.0
    seconds: float = 0.0
    interrupted: bool = False

    def add(self, outcome: Outcome) -> None:
        entry = outcome.entry
        if entry.status == "ok":
            self.ok += 1
            self.pages += entry.pages
            self.words += outcome.words
            self.low_conf += outcome.low_conf
            self.conf_sum += outcome.conf_sum
        elif entry.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append((entry.input, entry.error or "unknown error"))

    def line(self) -> str:
        return f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped"

    def to_dict(self, **extra: Any) -> dict[str, Any]:
        minutes = self.seconds / 60
        return {
            "inputs": self.inputs,
            "ok": self.ok,
            "failed": self.failed,
            "skipped": self.skipped,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "pages_per_minute": round(self.pages / minutes, 2) if minutes > 0 else 0.0,
            "words": self.words,
            "mean_confidence": round(self.conf_sum / self.words, 4) if self.words else None,
            "low_confidence_words": self.low_conf,
            "failures": [{"input": path, "error": error} for path, error in self.failures],
            "interrupted": self.interrupted,
            **extra,
        }


# --------------------------------------------------------------------------- the output folder


@contextmanager
def claim(out_dir: Path) -> Iterator[Manifest]:
    """Hold OUT for this run: a lock (so two runs never write one manifest), temp files of a killed run
    removed, the manifest compacted before and after."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file; -o needs a folder (new or written by vnocr)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot write the output folder ({exc.strerror})") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"{out_dir}: another vnocr run is writing to this folder; wait for it or choose another -o") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        for stale in out_dir.rglob(".*.tmp"):  # atomic writes cut short by a kill
            stale.unlink(missing_ok=True)
        manifest = Manifest(out_dir)
        manifest.compact()
        try:
            yield manifest
        finally:
            manifest.compact()
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def inputs_outside(items: list[InputFile], out_dir: Path) -> list[InputFile]:
    """Drop inputs that are our own outputs (OUT inside an input folder) and repeats of one file."""
    out = out_dir.resolve()
    seen: set[Path] = set()
    kept = []
    for item in items:
        real = item.path.resolve()
        if real in seen or _inside(real, out):
            continue
        seen.add(real)
        kept.append(item)
    return kept


# --------------------------------------------------------------------------- the batch


@dataclass
class _Job:
    item: InputFile
    seconds: float = 0.0
    pages_seen: int = 0
    pages: int = 0  # of a split PDF
    tasks: dict[tuple, int] = field(default_factory=dict)  # running task key -> last page it reported
    parts: dict[int, Any] = field(default_factory=dict)  # first page -> the range's pages (or a Dask future)
    split: bool = False


class Batch:
    """Inputs in, one manifest line each out, through a pool (`pool.LocalPool` or `pool.DaskPool`)."""

    def __init__(
        self,
        out_dir: Path,
        settings: Settings,
        manifest: Manifest,
        make_pool: Callable[[], Any],
        reporter: Reporter,
        *,
        force: bool = False,
        split_pages: int = SPLIT_PAGES,
    ) -> None:
        self.out_dir = out_dir
        self.settings = settings
        self.key = settings.key()
        self.manifest = manifest
        self.finished = manifest.entries()
        self._make_pool = make_pool
        self.pool: Any = None
        self.reporter = reporter
        self.force = force
        self.split_pages = split_pages
        self.jobs: dict[str, _Job] = {}  # inputs submitted and not yet recorded
        self._pending: deque[InputFile] = deque()  # inputs not yet looked at
        self.summary = Summary()

    # -- resume

    def finished_entry(self, item: InputFile, sha256: str | None) -> tuple[ManifestEntry | None, bool]:
        """(the manifest entry of a finished output for this input, whether it must be written) or (None, False)."""
        if self.force or sha256 is None:
            return None, False
        json_path, _ = output_paths(item, self.out_dir, self.settings)
        txt_path = json_path.with_suffix(".txt")
        rel = str(json_path.relative_to(self.out_dir))
        entry = self.finished.get(str(item.path))
        if (
            entry is not None
            and entry.status == "ok"
            and entry.sha256 == sha256
            and entry.settings == self.key
            and entry.output == rel
            and json_path.exists()
            and txt_path.exists()
        ):
            return entry, False
        # no manifest line (a run killed just after writing, or another manifest): trust the output itself
        try:
            if json_path.stat().st_mtime_ns < txt_path.stat().st_mtime_ns:
                return None, False  # the JSON is older than its .txt: the run stopped between the two writes
            data = json.loads(json_path.read_text("utf-8"))
            if data["source"]["sha256"] != sha256 or data["settings"]["key"] != self.key:
                return None, False
            pages = len(data["pages"])
            seconds = round(sum(p.get("seconds", 0.0) for p in data["pages"]), 3)
        except (OSError, ValueError, KeyError, TypeError):
            return None, False
        return ManifestEntry(str(item.path), rel, "ok", None, pages, seconds, sha256, self.key), True

    # -- running

    def add(self, items: Iterable[InputFile]) -> None:
        """Queue inputs; each is checked (hashed) only when the workers are ready for more, so work starts at once."""
        for item in items:
            self._pending.append(item)
            self.summary.inputs += 1

    def _feed(self) -> None:
        """Skip finished inputs (restoring a missing manifest line) and submit others while the window has room."""
        while self._pending:
            window = 2 * getattr(self.pool, "jobs", 0) + 2
            if len(self.jobs) >= window:
                return
            item = self._pending.popleft()
            path = str(item.path)
            if path in self.jobs:
                continue
            entry, write = self.finished_entry(item, file_sha256(item.path))
            if entry is not None:
                if write:
                    self.manifest.append(entry)
                    self.finished[entry.input] = entry
                self.summary.skipped += 1
                self.reporter.skip(entry)
                continue
            self.jobs[path] = _Job(item)
            self._submit(("file", path), file_task, (item, self.out_dir, self.settings, self.split_pages), priority=0)

    def _submit(self, key: tuple, fn: Callable, args: tuple, *, priority: int, timeout: float | None = None,
                keep_remote: bool = False) -> None:
        if self.pool is None:
            self.pool = self._make_pool()
        self.jobs[key[1]].tasks[key] = 0
        self.pool.submit(
            key, fn, args, timeout=timeout or self.settings.page_timeout, priority=priority, progress=True,
            keep_remote=keep_remote,
        )

    @property
    def busy(self) -> bool:
        return bool(self.jobs or self._pending)

    def in_flight(self, path: Path) -> bool:
        return str(path) in self.jobs or any(item.path == path for item in self._pending)

    def pump(self, seconds: float) -> None:
        """Feed the workers and handle what they report, for up to `seconds` (less when all is done)."""
        end = time.monotonic() + seconds
        while True:
            raise_if_stopped()
            self._feed()
            left = end - time.monotonic()
            if not self.jobs or left <= 0:
                break
            for event in self.pool.poll(min(left, 0.5)):
                self._on_event(event)
            self.reporter.tick()

    def run(self) -> None:
        while self.busy:
            self.pump(3600)

    def close(self, kill: bool = False) -> None:
        if self.pool is not None:
            self.pool.close(kill=kill)
            self.pool = None

    def _on_event(self, event: Any) -> None:
        kind, path = event.key[0], event.key[1]
        job = self.jobs.get(path)
        if job is None or event.key not in job.tasks:
            return
        if event.kind == "progress":
            job.tasks[event.key] = int(event.value or 0)
            job.pages_seen += 1
            self.reporter.page_done()
            return
        last_page = job.tasks.pop(event.key)
        job.seconds += event.seconds
        if event.kind == "failed":
            self._fail(job, self._failure_message(event, kind, last_page))
        elif kind == "file" and isinstance(event.value, Split):
            self._split(job, event.value.pages)
        elif kind == "pages":
            job.parts[event.key[2]] = event.value
            if not job.tasks:
                parts = [job.parts[first] for first in sorted(job.parts)]
                self._submit(
                    ("finish", path), finish_task, (job.item, self.out_dir, self.settings, parts), priority=2,
                    timeout=self.settings.page_timeout + FINISH_SECONDS_PER_PAGE * job.pages,
                )
                job.parts.clear()
        else:
            self._record(job, event.value)

    def _split(self, job: _Job, pages: int) -> None:
        job.split, job.pages = True, pages
        path = str(job.item.path)
        for first in range(1, pages + 1, self.split_pages):
            last = min(pages, first + self.split_pages - 1)
            self._submit(
                ("pages", path, first), pages_task, (job.item, self.out_dir, self.settings, first, last), priority=1,
                keep_remote=True,
            )

    def _failure_message(self, event: Any, kind: str, last_page: int) -> str:
        if event.reason == "error":
            return str(event.value)
        if kind == "finish":
            where = "while joining, repairing and writing its pages"
        elif kind == "pages" and not last_page:
            where = f"on page {event.key[2]}"
        else:
            where = f"on page {last_page + 1}"
        if event.reason == "timeout":
            return (
                f"stopped {where}: no progress within {self.settings.page_timeout:g} s (--page-timeout); "
                "the file may be damaged or far too complex"
            )
        return f"the worker reading this file died {where} ({event.value}); the file may be damaged"

    def _fail(self, job: _Job, message: str) -> None:
        for key in list(job.tasks):
            self.pool.cancel(key)
        job.tasks.clear()
        entry = ManifestEntry(str(job.item.path), None, "error", message, 0, round(job.seconds, 3))
        self._record(job, Outcome(entry))

    def _record(self, job: _Job, outcome: Outcome) -> None:
        entry = outcome.entry
        if job.split:
            entry.seconds = round(job.seconds, 3)
        if entry.status != "ok":
            # page images of pages read before the failure belong to no document: no partial output
            json_path, images_dir = output_paths(job.item, self.out_dir, self.settings)
            if images_dir is not None and not json_path.exists():
                shutil.rmtree(images_dir, ignore_errors=True)
        self.manifest.append(entry)
        if entry.status == "ok":
            self.finished[entry.input] = entry
        self.summary.add(outcome)
        self.reporter.file_done(entry, max(0, entry.pages - job.pages_seen))
        del self.jobs[str(job.item.path)]


# --------------------------------------------------------------------------- running a batch


def make_pool(jobs: int | None = None, dask: str | None = None) -> Any:
    from .pool import DaskPool, LocalPool

    if dask:
        try:
            return DaskPool(dask)
        except (OSError, TimeoutError, ValueError) as exc:
            raise BatchError(f"cannot reach the Dask scheduler at {dask} ({exc})") from exc
    return LocalPool(jobs or default_jobs(), preload=("pipeline.batch.tasks", "pipeline.flow"))


_stop_signalled: list[int] = []  # the stopping signals received inside `stop_on_signals`


def raise_if_stopped() -> None:
    """Raise the KeyboardInterrupt of a stopping signal whose own was lost: a handler that raises while Python runs a
    destructor (the garbage collector can run one anywhere) has its exception printed and ignored."""
    if _stop_signalled:
        raise KeyboardInterrupt


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM (a service manager stopping us) ends the run like Ctrl-C: cleanly. Either signal is also remembered,
    so one whose KeyboardInterrupt was lost still stops the run: at the batch's next look (`raise_if_stopped`), and at
    the latest when the block ends. SIGINT is taken only where it is Python's own (not where the shell ignores it)."""

    def handler(signum: int, frame: Any) -> None:
        _stop_signalled.append(signum)
        raise KeyboardInterrupt

    taken = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        taken.append(signal.SIGINT)
    _stop_signalled.clear()
    try:
        previous = {signum: signal.signal(signum, handler) for signum in taken}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
        raise_if_stopped()
    finally:
        for signum, was in previous.items():
            signal.signal(signum, was)
        _stop_signalled.clear()


def write_summary(out_dir: Path, summary: Summary, **extra: Any) -> dict[str, Any]:
    data = summary.to_dict(**extra)
    atomic_write_json(out_dir / "summary.json", data)
    return data


def end_run(batch: Batch, pool: Any, described: str, jobs: int | None, started_at: str, start: float,
            **extra: Any) -> None:
    """Stop the workers, write `OUT/summary.json` (atomically) and let the reporter sum up."""
    batch.summary.seconds = time.monotonic() - start
    data = write_summary(
        batch.out_dir,
        batch.summary,
        jobs=getattr(pool, "jobs", jobs or default_jobs()),
        executor=getattr(pool, "describe", described),
        cores=default_jobs(),
        settings=batch.key,
        started=started_at,
        finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        peak_worker_rss_mb=round(getattr(pool, "peak_rss_kb", 0) / 1024, 1),
        **extra,
    )
    batch.reporter.close(data)


def run(
    inputs: list[Path],
    out_dir: Path,
    settings: Settings,
    *,
    jobs: int | None = None,
    force: bool = False,
    dask: str | None = None,
    reporter: Reporter | None = None,
    split_pages: int = SPLIT_PAGES,
) -> Summary:
    """Process every input not already done; a failing input is recorded and the run goes on.

    Writes `OUT/summary.json` at the end (also when interrupted: `interrupted: true`).
    Raises MissingInput for a missing input, BatchError when the run cannot start.
    """
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = time.monotonic()
    reporter = reporter or Reporter()
    items = inputs_outside(discover(inputs), out_dir)
    described = f"Dask cluster at {dask}" if dask else f"{jobs or default_jobs()} worker processes"
    pool_holder: dict[str, Any] = {}

    def new_pool() -> Any:
        pool = make_pool(jobs, dask)
        pool_holder["pool"] = pool
        return pool

    with claim(out_dir) as manifest:
        batch = Batch(out_dir, settings, manifest, new_pool, reporter, force=force, split_pages=split_pages)
        killed = True
        try:
            with stop_on_signals():
                reporter.start(len(items), described)
                batch.add(items)
                batch.run()
                killed = False
        except KeyboardInterrupt:
            batch.summary.interrupted = True
        except BrokenPipeError:  # the reader of --log-json left: stop as for Ctrl+C; the command ends quietly
            batch.summary.interrupted = True
            raise
        except PoolError as exc:
            raise BatchError(str(exc)) from exc
        finally:
            pool = pool_holder.get("pool")
            batch.close(kill=killed)
            end_run(batch, pool, described, jobs, started_at, start)
    write_report(out_dir)
    return batch.summary


def write_report(out_dir: Path) -> None:
    """`OUT/report.html` and the figures behind it (`review.report`); failing to write them costs the report only."""
    from ..review.report import write_report as write

    try:
        write(out_dir)
    except (OutputError, OSError) as exc:
        log.warning("the report was not written: %s", exc)
