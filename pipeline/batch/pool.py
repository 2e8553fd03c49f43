"""Executors for batch tasks: a local pool of worker processes, or an existing Dask cluster.

Both take tasks (a picklable module-level function and its arguments) and hand
back events through `poll()`: `done` (the return value), `failed` (a message
and why: `error` raised by the task, `crash` the worker process died, `timeout`
no progress within the task's allowance), and `progress` (a task reported a
page done).

The local pool runs one task per worker process and knows which task each
worker holds, so a worker that segfaults, is killed, or hangs costs exactly
its own task: the pool records that task as failed, starts a fresh worker and
carries on. Each worker is the leader of its own process group, so stopping a
stuck worker also stops the `tesseract` or `pdftoppm` it was waiting for; and
it dies with the batch process (Linux parent-death signal), so a killed batch
leaves no worker behind still writing outputs.

A task that accepts progress gets a `progress(info, allow)` callable: each call
tells the pool the task is alive and may take `allow` more seconds; a task
that stays silent longer than its allowance (plus a grace period) is killed.
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from ..errors import InputError, PoolError, failure_message

log = logging.getLogger(__name__)

WORKER_ENV = {"OMP_THREAD_LIMIT": "1"}  # one Tesseract thread per worker: the pool supplies the parallelism


def grace_for(timeout: float) -> float:
    """Extra seconds before a silent task is killed, so the task's own (clearer) timeouts fire first."""
    return min(5.0, 1.0 + 0.25 * timeout)


@dataclass
class Event:
    kind: str  # done | failed | progress
    key: Hashable
    value: Any = None  # done: the result; failed: the message; progress: what the task reported
    reason: str | None = None  # failed: error | crash | timeout
    seconds: float = 0.0  # done/failed: time the task ran


@dataclass(order=True)
class _Task:
    sort: tuple[int, int]
    key: Hashable = field(compare=False)
    fn: Callable = field(compare=False)
    args: tuple = field(compare=False)
    kwargs: dict = field(compare=False)
    timeout: float = field(compare=False)
    progress: bool = field(compare=False)


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "stopped"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"killed by {name}"
    return f"exited with status {exitcode}"


# --------------------------------------------------------------------------- worker side


class _PipeLogHandler(logging.Handler):
    """In a worker: send log records to the batch process, which shows them its own way; a record's
    traceback only when the batch logs diagnostics (-v): without, every failure stays one line."""

    def __init__(self, conn: Connection, tracebacks: bool) -> None:
        super().__init__()
        self.conn = conn
        self.tracebacks = tracebacks

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = dict(record.__dict__)
            data["msg"] = record.getMessage()
            data["args"] = None
            data["exc_text"] = None
            if record.exc_info and self.tracebacks:
                data["exc_text"] = logging.Formatter().formatException(record.exc_info)
            data["exc_info"] = None
            self.conn.send(("log", data))
        except Exception:  # noqa: BLE001 - logging must never break a task
            pass


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


def _worker_main(conn: Connection, parent: int, log_level: int, preload: tuple[str, ...]) -> None:
    os.setpgrp()
    _die_with_parent(parent)
    os.dup2(2, 1)  # stdout belongs to the batch (JSON lines); anything a library prints goes to stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch process decides when workers stop
    os.environ.update(WORKER_ENV)
    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(conn, tracebacks=log_level <= logging.DEBUG)]
    root.setLevel(log_level)
    try:
        for module in preload:  # before "ready", so start-up time never counts against a task
            importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - a missing library: no worker can run, the batch says why
        log.debug("preloading failed", exc_info=exc)
        conn.send(("unusable", failure_message(exc)))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task_id, fn, args, kwargs, wants_progress = message

        def progress(info: Any = None, allow: float | None = None, _id=task_id) -> None:
            conn.send(("progress", _id, info, allow))

        start = time.perf_counter()
        try:
            if wants_progress:
                kwargs = {**kwargs, "progress": progress}
            result = fn(*args, **kwargs)
            reply = ("done", task_id, result)
        except Exception as exc:  # noqa: BLE001 - reported to the batch, which records it
            reply = ("error", task_id, _error_message(exc))
        usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            conn.send((*reply, time.perf_counter() - start, usage))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            conn.send(("error", task_id, f"the result could not be returned ({exc})", time.perf_counter() - start, usage))


def _error_message(exc: BaseException) -> str:
    if not isinstance(exc, InputError):
        log.debug("task failed", exc_info=exc)  # the failure itself is the input's one line
    return failure_message(exc)


# --------------------------------------------------------------------------- batch side


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext, preload: tuple[str, ...]) -> None:
        parent_conn, child_conn = ctx.Pipe()
        self.conn = parent_conn
        self.process = ctx.Process(
            target=_worker_main,
            args=(child_conn, os.getpid(), logging.getLogger().getEffectiveLevel(), preload),
            daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.ready = False
        self.task: _Task | None = None
        self.task_id = 0
        self.started = 0.0
        self.deadline = float("inf")

    def kill(self) -> None:
        """Stop the worker and whatever it started (its process group)."""
        pid = self.process.pid
        if pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process.join(5)
        self.conn.close()


class LocalPool:
    """`jobs` worker processes on this machine, one task each at a time; `preload`: modules each imports first."""

    def __init__(self, jobs: int, preload: tuple[str, ...] = ()) -> None:
        self.jobs = max(1, jobs)
        self.preload = preload
        self._ctx = multiprocessing.get_context("spawn")  # no fork: the batch process has threads (progress bar)
        self._workers: list[_Worker] = []
        self._queue: list[_Task] = []
        self._seq = itertools.count()
        self._ids = itertools.count(1)
        self._failed_starts = 0
        self.peak_rss_kb = 0  # the largest worker process (its own memory, not the tesseract it runs)
        self.describe = f"local pool of {self.jobs} worker process{'es' if self.jobs != 1 else ''}"

    # -- the executor interface

    def submit(
        self,
        key: Hashable,
        fn: Callable,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        timeout: float,
        priority: int = 0,
        progress: bool = False,
        keep_remote: bool = False,  # noqa: ARG002 - results are always local here
    ) -> None:
        """Queue a task; higher `priority` runs first; `timeout`: seconds it may run before its first progress report."""
        heapq.heappush(self._queue, _Task((-priority, next(self._seq)), key, fn, args, kwargs or {}, timeout, progress))

    def cancel(self, key: Hashable) -> None:
        """Forget a task: dropped if still queued; if running, its worker is stopped (a fresh one replaces it)."""
        self._queue = [t for t in self._queue if t.key != key]
        heapq.heapify(self._queue)
        for w in list(self._workers):
            if w.task is not None and w.task.key == key:
                w.task = None
                self._replace(w)

    @property
    def busy(self) -> bool:
        return bool(self._queue) or any(w.task is not None for w in self._workers)

    def poll(self, wait_seconds: float) -> list[Event]:
        """Start queued tasks on idle workers, then wait up to `wait_seconds` for something to happen."""
        events: list[Event] = []
        self._dispatch(events)
        if not self.busy:
            return events
        now = time.monotonic()
        nearest = min((w.deadline for w in self._workers if w.task is not None), default=float("inf"))
        timeout = max(0.0, min(wait_seconds, nearest - now))
        waitables: list[Any] = []
        for w in self._workers:
            waitables += [w.conn, w.process.sentinel]
        ready = set(wait(waitables, timeout))
        for w in list(self._workers):
            if w.conn in ready:
                self._receive(w, events)
        for w in list(self._workers):
            if not w.process.is_alive():
                self._lost(w, events)
        now = time.monotonic()
        for w in list(self._workers):
            if w.task is not None and now > w.deadline:
                self._timed_out(w, events)
        self._dispatch(events)
        return events

    def close(self, kill: bool = False) -> None:
        for w in self._workers:
            if not kill and w.task is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self._workers:
            if kill or w.task is not None:
                w.kill()
            else:
                w.process.join(2)
                if w.process.is_alive():
                    w.kill()
                else:
                    w.conn.close()
        self._workers.clear()
        self._queue.clear()

    # -- internals

    def _dispatch(self, events: list[Event]) -> None:
        while self._queue:
            idle = next((w for w in self._workers if w.ready and w.task is None and w.process.is_alive()), None)
            if idle is None:
                if len(self._workers) < self.jobs:
                    self._workers.append(_Worker(self._ctx, self.preload))
                    continue
                return
            task = heapq.heappop(self._queue)
            idle.task_id = next(self._ids)
            try:
                idle.conn.send((idle.task_id, task.fn, task.args, task.kwargs, task.progress))
            except (OSError, ValueError) as exc:  # the worker died while idle, or the task cannot be pickled
                if isinstance(exc, OSError):
                    heapq.heappush(self._queue, task)
                    self._replace(idle)
                else:
                    events.append(Event("failed", task.key, f"the task could not be sent to a worker ({exc})", "error"))
                continue
            idle.task = task
            idle.started = time.monotonic()
            idle.deadline = idle.started + task.timeout + grace_for(task.timeout)

    def _receive(self, w: _Worker, events: list[Event]) -> None:
        try:
            while w.conn.poll():
                message = w.conn.recv()
                kind = message[0]
                if kind == "ready":
                    w.ready = True
                    self._failed_starts = 0
                elif kind == "unusable":
                    raise PoolError(f"worker processes cannot start: {message[1]}")
                elif kind == "log":
                    record = logging.makeLogRecord(message[1])
                    logging.getLogger(record.name).handle(record)
                elif w.task is None or message[1] != w.task_id:
                    continue
                elif kind == "progress":
                    _, _, info, allow = message
                    allow = w.task.timeout if allow is None else allow
                    w.deadline = time.monotonic() + allow + grace_for(allow)
                    events.append(Event("progress", w.task.key, info))
                else:
                    _, _, value, seconds, rss = message
                    self.peak_rss_kb = max(self.peak_rss_kb, rss)
                    task, w.task = w.task, None
                    w.deadline = float("inf")
                    if kind == "done":
                        events.append(Event("done", task.key, value, seconds=seconds))
                    else:
                        events.append(Event("failed", task.key, value, "error", seconds=seconds))
        except (EOFError, OSError):
            pass  # the worker died; its sentinel says so

    def _lost(self, w: _Worker, events: list[Event]) -> None:
        self._receive(w, events)  # anything it sent before dying
        w.process.join(1)
        exitcode = w.process.exitcode
        if w.task is not None:
            seconds = time.monotonic() - w.started
            events.append(Event("failed", w.task.key, describe_exit(exitcode), "crash", seconds=seconds))
            w.task = None
        elif not w.ready:
            self._failed_starts += 1
            if self._failed_starts >= 3:
                raise PoolError(f"worker processes cannot start ({describe_exit(exitcode)}); run with -v to see why")
        log.warning("worker process %s %s; starting a new one", w.process.pid, describe_exit(exitcode))
        self._replace(w)

    def _timed_out(self, w: _Worker, events: list[Event]) -> None:
        task = w.task
        assert task is not None
        seconds = time.monotonic() - w.started
        log.warning("worker process %s made no progress in time on %s; stopping it", w.process.pid, task.key)
        w.task = None
        events.append(Event("failed", task.key, "no progress in time", "timeout", seconds=seconds))
        self._replace(w)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self._workers.remove(w)
        if self._queue:
            self._workers.append(_Worker(self._ctx, self.preload))


# --------------------------------------------------------------------------- Dask

PROGRESS_TOPIC = "vnocr-progress"


def _dask_task(fn: Callable, token: str, wants_progress: bool, *args: Any, **kwargs: Any) -> Any:
    """Runs on a Dask worker: tells the client when the task starts and, if it can, each page done."""
    from distributed import get_worker

    worker = get_worker()

    def send(kind: str, info: Any = None, allow: float | None = None) -> None:
        worker.log_event(PROGRESS_TOPIC, {"token": token, "kind": kind, "info": info, "allow": allow, "worker": worker.address})

    os.environ.update(WORKER_ENV)
    send("start")
    if wants_progress:
        kwargs = {**kwargs, "progress": lambda info=None, allow=None: send("progress", info, allow)}
    return fn(*args, **kwargs)


@dataclass
class _DaskTask:
    key: Hashable
    future: Any
    timeout: float
    keep_remote: bool
    started: float | None = None
    deadline: float = float("inf")
    worker: str | None = None


class DaskPool:
    """The same tasks submitted to an existing Dask distributed cluster (its scheduler's address).

    Dask places the tasks and retries none of them; a worker that dies while
    running one is reported by Dask as `KilledWorker` (a crash here). Tasks
    report their start and progress as Dask events, so the same allowances hold
    as in the local pool: a silent task is cancelled, recorded as timed out,
    and the worker holding it restarted (when the cluster's workers have
    nannies) so that its thread is not lost. Outputs are written by the
    workers: OUT must be the same path for them (a shared filesystem).
    """

    def __init__(self, address: str) -> None:
        from distributed import Client

        self.client = Client(address, timeout="30s", set_as_default=False)
        self._tasks: dict[str, _DaskTask] = {}  # token (the Dask key) -> task
        self._by_key: dict[Hashable, str] = {}
        self._inbox: deque[dict] = deque()  # filled by the client's event thread
        self.client.subscribe_topic(PROGRESS_TOPIC, lambda event: self._inbox.append(event[1]))
        self._restarts: list[threading.Thread] = []
        self.peak_rss_kb = 0
        workers = self.client.scheduler_info().get("workers", {})
        threads = sum(w.get("nthreads", 1) for w in workers.values())
        self.jobs = threads
        self.describe = f"Dask cluster at {address} ({len(workers)} workers, {threads} threads)"

    def submit(
        self,
        key: Hashable,
        fn: Callable,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        timeout: float,
        priority: int = 0,
        progress: bool = False,
        keep_remote: bool = False,
    ) -> None:
        import uuid

        token = f"vnocr-{fn.__name__}-{uuid.uuid4().hex}"
        future = self.client.submit(
            _dask_task, fn, token, progress, *args, **(kwargs or {}), key=token, pure=False, priority=priority, retries=0
        )
        self._tasks[token] = _DaskTask(key, future, timeout, keep_remote)
        self._by_key[key] = token

    def cancel(self, key: Hashable) -> None:
        token = self._by_key.pop(key, None)
        if token is not None:
            self._tasks.pop(token).future.cancel()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def poll(self, wait_seconds: float) -> list[Event]:
        from distributed import wait as dask_wait

        events: list[Event] = []
        if not self._tasks:
            return events
        try:
            with self.client.as_current():
                dask_wait([t.future for t in self._tasks.values()], timeout=wait_seconds, return_when="FIRST_COMPLETED")
        except TimeoutError:
            pass
        now = time.monotonic()
        while self._inbox:
            message = self._inbox.popleft()
            task = self._tasks.get(message.get("token"))
            if task is None:
                continue
            allow = task.timeout if message.get("allow") is None else message["allow"]
            task.deadline = now + allow + grace_for(allow)
            if message.get("kind") == "start":
                task.started, task.worker = now, message.get("worker")
            else:
                events.append(Event("progress", task.key, message.get("info")))
        for token, task in list(self._tasks.items()):
            if task.future.done():
                del self._tasks[token]
                self._by_key.pop(task.key, None)
                seconds = now - (task.started or now)
                if task.future.status == "finished":
                    value = task.future if task.keep_remote else task.future.result()
                    events.append(Event("done", task.key, value, seconds=seconds))
                else:
                    events.append(self._failure(task, seconds))
            elif now > task.deadline:
                self.cancel(task.key)
                events.append(Event("failed", task.key, "no progress in time", "timeout", seconds=now - (task.started or now)))
                self._restart(task.worker)
        return events

    def _failure(self, task: _DaskTask, seconds: float) -> Event:
        from distributed.scheduler import KilledWorker

        try:
            exc = task.future.exception()
        except Exception as err:  # noqa: BLE001 - a cancelled future raises here
            return Event("failed", task.key, f"the task was lost ({type(err).__name__})", "crash", seconds=seconds)
        if isinstance(exc, KilledWorker):
            return Event("failed", task.key, "Dask reported KilledWorker", "crash", seconds=seconds)
        return Event("failed", task.key, _error_message(exc), "error", seconds=seconds)

    def _restart(self, worker: str | None) -> None:
        """A Python thread cannot be stopped: restart the worker process holding the stuck task (in the
        background; the batch goes on meanwhile)."""
        if not worker:
            return

        def restart() -> None:
            try:
                self.client.restart_workers([worker], raise_for_error=False)
            except Exception as exc:  # noqa: BLE001 - not every cluster lets a client restart its workers
                log.warning("could not restart Dask worker %s (%s); its thread stays busy", worker, exc)

        thread = threading.Thread(target=restart, name=f"restart {worker}", daemon=True)
        thread.start()
        self._restarts.append(thread)

    def close(self, kill: bool = False) -> None:
        if kill:
            for task in self._tasks.values():
                task.future.cancel()
        self._tasks.clear()
        self._by_key.clear()
        for thread in self._restarts:
            thread.join(30)
        self.client.close()
