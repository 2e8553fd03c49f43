"""The engine gate: one Tesseract at a time in a worker process that holds two tasks.

A local pool worker holds two tasks so that one task's Python work (decoding,
preprocessing, repair, writing) runs while the other's Tesseract does; the
gate keeps it to one Tesseract per worker, so `--jobs N` still means N
Tesseracts. Time spent waiting at the gate does not count against a task's
allowance: the task tells the pool when it starts waiting and when it goes on.

Outside such a worker (a plain call, a Dask worker's threads) the gate is open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock: threading.Lock | None = None
_task = threading.local()  # .notify: the running task's "wait" / "go" reporter


def close_gate() -> None:
    """From now on, one engine run at a time in this process."""
    global _lock
    _lock = threading.Lock()


def bind(notify: Callable[[str], None] | None) -> None:
    """The task run by this thread reports `wait` and `go` through `notify`."""
    _task.notify = notify


@contextmanager
def engine() -> Iterator[None]:
    """Around one engine run (a Tesseract call)."""
    lock = _lock
    if lock is None:
        yield
        return
    if not lock.acquire(blocking=False):
        notify = getattr(_task, "notify", None)
        if notify is not None:
            notify("wait")
        lock.acquire()
        if notify is not None:
            notify("go")
    try:
        yield
    finally:
        lock.release()
