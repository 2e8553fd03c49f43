"""Progress of a batch: a rich progress bar on a terminal, plain or JSON log lines otherwise.

Every reporter gets the same calls from the batch: `start`, `add_files`
(watch mode), `skip` (an input already done), `page_done`, `file_done`,
`tick` (often, so log lines can be periodic) and `close`. The base class
reports nothing (`--quiet`).
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime, timezone
from typing import Any

from ..errors import reader_gone
from ..outputs import ManifestEntry, json_text

LOGGER = "vnocr.batch"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-:--:--"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Reporter:
    """Counts files and pages; reports nothing."""

    def __init__(self) -> None:
        self.files = 0  # files this run will look at
        self.done = 0  # processed (ok or failed)
        self.failed = 0
        self.skipped = 0
        self.pages = 0
        self.started = time.monotonic()

    @property
    def pages_per_minute(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.pages / elapsed * 60 if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from the pace of the files processed so far."""
        left = self.files - self.done - self.skipped
        if self.done == 0:
            return None
        return left * (time.monotonic() - self.started) / self.done

    def start(self, files: int, executor: str = "") -> None:
        self.files = files
        self.started = time.monotonic()
        self._started(executor)

    def add_files(self, files: int) -> None:
        self.files += files

    def skip(self, entry: ManifestEntry) -> None:
        """An input whose finished output matches its content and the settings."""
        self.skipped += 1
        self._skipped(entry)

    def page_done(self, pages: int = 1) -> None:
        self.pages += pages

    def file_done(self, entry: ManifestEntry, new_pages: int = 0) -> None:
        """An input finished; `new_pages`: its pages not yet counted by `page_done`."""
        self.pages += new_pages
        self.done += 1
        if entry.status != "ok":
            self.failed += 1
        self._file(entry)

    def tick(self) -> None:
        pass

    def close(self, summary: dict[str, Any] | None = None) -> None:
        pass

    def _started(self, executor: str) -> None:
        pass

    def _skipped(self, entry: ManifestEntry) -> None:
        pass

    def _file(self, entry: ManifestEntry) -> None:
        pass


class RichReporter(Reporter):
    """A live progress bar on the terminal (stderr): files, pages, pages per minute, ETA."""

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        reporter = self

        class PagesColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(f"{reporter.pages} pages, {reporter.pages_per_minute:.1f} pages/min", style="cyan")

        class FailedColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(f"{reporter.failed} failed", style="red" if reporter.failed else "dim")

        self.console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            PagesColumn(),
            FailedColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            speed_estimate_period=600,
        )
        self._task: Any = None
        self._handlers: list[logging.Handler] = []

    def _started(self, executor: str) -> None:
        from rich.logging import RichHandler

        root = logging.getLogger()
        self._handlers = root.handlers[:]
        root.handlers[:] = [RichHandler(console=self.console, show_path=False)]  # log lines above the bar
        self._task = self.progress.add_task("vnocr", total=self.files)
        self.progress.start()
        self.console.print(f"{self.files} files; {executor}", highlight=False)

    def add_files(self, files: int) -> None:
        super().add_files(files)
        if self._task is not None:
            self.progress.update(self._task, total=self.files)

    def _skipped(self, entry: ManifestEntry) -> None:
        if self._task is not None:
            self.progress.advance(self._task)

    def _file(self, entry: ManifestEntry) -> None:
        from rich.text import Text

        if self._task is not None:
            self.progress.advance(self._task)
        if entry.status != "ok":
            self.console.print(Text.assemble(("failed ", "bold red"), f"{entry.input}: {entry.error}"))

    def close(self, summary: dict[str, Any] | None = None) -> None:
        self.progress.stop()
        if self._handlers:
            logging.getLogger().handlers[:] = self._handlers


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "log"),
            **getattr(record, "data", {}),
            "message": record.getMessage(),
        }
        return json_text(data)


class _StdoutHandler(logging.StreamHandler):
    """JSON lines on stdout: when their reader goes away (`| head`), the run stops like Ctrl+C
    (logging would otherwise print a traceback for every line it can no longer write)."""

    def handleError(self, record: logging.LogRecord) -> None:
        if isinstance(sys.exc_info()[1], BrokenPipeError):
            reader_gone()
            raise  # handleError runs inside logging's `except`: this re-raises the BrokenPipeError
        super().handleError(record)


class LogReporter(Reporter):
    """Log lines through `logging` (logger `vnocr.batch`): a progress line every `interval` seconds,
    one line per failure; with `as_json`, one JSON object per line on stdout, including every file."""

    def __init__(self, interval: float = 10.0, as_json: bool = False, every_file: bool = False) -> None:
        super().__init__()
        self.interval = interval
        self.as_json = as_json
        self.every_file = every_file or as_json
        self.log = logging.getLogger(LOGGER)
        self.log.setLevel(logging.INFO)
        self.log.propagate = False
        self._handler = _StdoutHandler(sys.stdout) if as_json else logging.StreamHandler(sys.stderr)
        self._handler.setFormatter(_JsonFormatter() if as_json else logging.Formatter("%(asctime)s vnocr: %(message)s"))
        self.log.addHandler(self._handler)
        self._last = time.monotonic()

    def _emit(self, level: int, event: str, message: str, **data: Any) -> None:
        self.log.log(level, message, extra={"event": event, "data": data})

    def _state(self) -> dict[str, Any]:
        eta = self.eta
        return {
            "files": self.files,
            "done": self.done,
            "failed": self.failed,
            "skipped": self.skipped,
            "pages": self.pages,
            "pages_per_minute": round(self.pages_per_minute, 1),
            "eta_seconds": None if eta is None else round(eta),
        }

    def _started(self, executor: str) -> None:
        self._emit(
            logging.INFO, "start", f"{self.files} files; {executor}", executor=executor, **self._state(),
        )
        self._last = time.monotonic()

    def _skipped(self, entry: ManifestEntry) -> None:
        if self.every_file:
            self._emit(logging.INFO, "file", f"skipped (already done): {entry.input}", input=entry.input,
                       status="skipped", error=None, pages=entry.pages, seconds=0.0, output=entry.output)

    def _file(self, entry: ManifestEntry) -> None:
        data = {"input": entry.input, "status": entry.status, "error": entry.error, "pages": entry.pages,
                "seconds": entry.seconds, "output": entry.output}
        if entry.status != "ok":
            self._emit(logging.WARNING, "file", f"failed: {entry.input}: {entry.error}", **data)
        elif self.every_file:
            self._emit(logging.INFO, "file", f"done: {entry.input} ({entry.pages} pages, {entry.seconds:.1f} s)", **data)

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._progress_line()

    def _progress_line(self) -> None:
        s = self._state()
        self._emit(
            logging.INFO, "progress",
            f"{s['done'] + s['skipped']}/{s['files']} files ({s['failed']} failed, {s['skipped']} skipped), "
            f"{s['pages']} pages, {s['pages_per_minute']:.1f} pages/min, ETA {_clock(s['eta_seconds'])}",
            **s,
        )

    def close(self, summary: dict[str, Any] | None = None) -> None:
        if summary is not None:
            self._emit(
                logging.INFO, "summary",
                f"{summary['ok']} ok, {summary['failed']} failed, {summary['skipped']} skipped; "
                f"{summary['pages']} pages in {summary['seconds']:.1f} s ({summary['pages_per_minute']:.1f} pages/min)",
                **summary,
            )
        self.log.removeHandler(self._handler)
        self._handler.flush()


def make_reporter(quiet: bool = False, log_json: bool = False, interval: float = 10.0, service: bool = False) -> Reporter:
    """The reporter for the situation: JSON lines, nothing, a bar on a terminal, else plain log lines.
    `service` (watch mode): log lines always, naming every file done."""
    if log_json:
        return LogReporter(interval, as_json=True)
    if quiet:
        return Reporter()
    if sys.stderr.isatty() and not service:
        return RichReporter()
    return LogReporter(interval, every_file=service)
