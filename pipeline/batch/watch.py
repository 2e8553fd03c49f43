"""Watch mode: process files as a scanner drops them into a folder, each once it is completely written.

A file is taken when its size and modification time have not changed for
`settle` seconds (an empty file waits much longer: scanners often create the
file first and fill it later). A file that changes again after it was taken
is taken again once it settles; finished files are skipped by content hash as
in `vnocr process`, so restarting the watcher redoes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import BatchError, MissingInput, PoolError
from ..ingest.files import InputFile, discover
from ..settings import Settings
from .progress import Reporter
from .runner import (
    SPLIT_PAGES,
    Batch,
    Summary,
    claim,
    default_jobs,
    end_run,
    inputs_outside,
    make_pool,
    raise_if_stopped,
    stop_on_signals,
)

log = logging.getLogger(__name__)

EMPTY_SETTLE_MIN = 60.0  # seconds an empty file must stay empty before it counts as finished (and fails)


class Inbox:
    """The supported files under a folder that have stopped changing."""

    def __init__(self, folder: Path, settle: float, exclude: Path | None = None) -> None:
        self.folder = folder
        self.settle = settle
        self.exclude = exclude
        self._seen: dict[Path, tuple[tuple[int, int], float]] = {}  # path -> (size, mtime), since when
        self._taken: dict[Path, tuple[int, int]] = {}

    def settled(self, now: float | None = None) -> list[InputFile]:
        """Files whose (size, mtime) stayed the same for the settle time; each version is returned once."""
        now = time.monotonic() if now is None else now
        try:
            items = discover([self.folder])
        except FileNotFoundError:
            return []
        if self.exclude is not None:
            items = inputs_outside(items, self.exclude)
        present: set[Path] = set()
        ready = []
        for item in items:
            try:
                st = item.path.stat()
            except OSError:
                continue
            signature = (st.st_size, st.st_mtime_ns)
            present.add(item.path)
            if self._taken.get(item.path) == signature:
                continue
            seen = self._seen.get(item.path)
            if seen is None or seen[0] != signature:
                self._seen[item.path] = (signature, now)
                continue
            wait = self.settle if st.st_size else max(EMPTY_SETTLE_MIN, 10 * self.settle)
            if now - seen[1] >= wait:
                ready.append(item)
                self._taken[item.path] = signature
                del self._seen[item.path]
        for gone in [p for p in self._seen if p not in present]:
            del self._seen[gone]
        for gone in [p for p in self._taken if p not in present]:
            del self._taken[gone]
        return ready

    def again(self, path: Path) -> None:
        """Look at this file afresh (it could not be taken yet)."""
        self._taken.pop(path, None)


def watch(
    inbox: Path,
    out_dir: Path,
    settings: Settings,
    *,
    jobs: int | None = None,
    force: bool = False,
    dask: str | None = None,
    reporter: Reporter | None = None,
    split_pages: int = SPLIT_PAGES,
    interval: float = 1.0,
    settle: float = 3.0,
    stop: Callable[[], bool] | None = None,
) -> Summary:
    """Process files arriving in `inbox` until interrupted (Ctrl-C, SIGTERM) or `stop()` says so."""
    if not inbox.is_dir():
        raise MissingInput(f"{inbox}: no such folder")
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = time.monotonic()
    reporter = reporter or Reporter()
    described = f"Dask cluster at {dask}" if dask else f"{jobs or default_jobs()} worker processes"
    pool_holder: dict[str, Any] = {}

    def new_pool() -> Any:
        pool_holder["pool"] = make_pool(jobs, dask)
        return pool_holder["pool"]

    files = Inbox(inbox, settle, exclude=out_dir)
    with claim(out_dir) as manifest:
        batch = Batch(out_dir, settings, manifest, new_pool, reporter, force=force, split_pages=split_pages)
        try:
            with stop_on_signals():
                reporter.start(0, f"watching {inbox}; {described}")
                while not (stop and stop()):
                    raise_if_stopped()
                    ready = []
                    for item in files.settled():
                        if batch.in_flight(item.path):
                            files.again(item.path)  # changed while being read: take it again when done
                        else:
                            ready.append(item)
                    if ready:
                        reporter.add_files(len(ready))
                        batch.add(ready)
                    if batch.busy:
                        batch.pump(interval)
                    else:
                        time.sleep(interval)
        except KeyboardInterrupt:
            pass
        except PoolError as exc:
            raise BatchError(str(exc)) from exc
        finally:
            pool = pool_holder.get("pool")
            batch.close(kill=True)
            end_run(batch, pool, described, jobs, started_at, start, watched=str(inbox))
    return batch.summary
