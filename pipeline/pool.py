"""Executors for batch tasks: a local pool of worker processes, or an existing Dask cluster.

Both take tasks (a picklable module-level function and its arguments) and hand
back events through `poll()`: `done` (the return value), `failed` (a message
and why: `error` raised by the task, `crash` the worker process died, `timeout`
no progress within the task's allowance), and `progress` (a task reported a
page done).

The local pool gives each worker process two tasks at a time, so that one
task's Python work overlaps the other's Tesseract run (`gate.py` keeps each
worker to one Tesseract at a time). It knows which tasks each worker holds, so
a worker that segfaults, is killed, or hangs costs only its own task: a task
that times out is recorded as failed and the task beside it goes back to the
queue; when a worker holding two tasks dies, both go back to run alone, and
the one that kills its worker again is recorded as failed. The pool starts a
fresh worker and carries on. Each worker is the leader of its own process group, so stopping a
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
import traceback
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from . import gate

log = logging.getLogger(__name__)

WORKER_ENV = {"OMP_THREAD_LIMIT": "1"}  # one Tesseract thread per worker: the pool supplies the parallelism
TASKS_PER_WORKER = 2


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
    solo: bool = field(default=False, compare=False)  # runs alone in its worker (it was beside a crash)


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


class _Outbox:
    """The worker's end of the pipe, shared by its task threads."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()

    def send(self, message: Any) -> None:
        with self._lock:
            self.conn.send(message)


class _PipeLogHandler(logging.Handler):
    """In a worker: send log records to the batch process, which shows them its own way."""

    def __init__(self, outbox: _Outbox) -> None:
        super().__init__()
        self.outbox = outbox

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = dict(record.__dict__)
            data["msg"] = record.getMessage()
            data["args"] = None
            if record.exc_info:
                data["exc_text"] = logging.Formatter().formatException(record.exc_info)
            data["exc_info"] = None
            self.outbox.send(("log", data))
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


def _run_task(outbox: _Outbox, task_id: int, fn: Callable, args: tuple, kwargs: dict, wants_progress: bool) -> None:
    """In a worker's task thread: run one task and send back its result (or error), time and memory."""

    def progress(info: Any = None, allow: float | None = None) -> None:
        outbox.send(("progress", task_id, info, allow))

    gate.bind(lambda state: outbox.send((state, task_id)))
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
        outbox.send((*reply, time.perf_counter() - start, usage))
    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
        outbox.send(("error", task_id, f"the result could not be returned ({exc})", time.perf_counter() - start, usage))


def _worker_main(conn: Connection, parent: int, log_level: int, preload: tuple[str, ...]) -> None:
    os.setpgrp()
    _die_with_parent(parent)
    os.dup2(2, 1)  # stdout belongs to the batch (JSON lines); anything a library prints goes to stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch process decides when workers stop
    os.environ.update(WORKER_ENV)
    outbox = _Outbox(conn)
    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(outbox)]
    root.setLevel(log_level)
    for module in preload:  # before "ready", so start-up time never counts against a task
        importlib.import_module(module)
    gate.close_gate()
    outbox.send(("ready", os.getpid()))
    with ThreadPoolExecutor(TASKS_PER_WORKER, thread_name_prefix="task") as threads:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            threads.submit(_run_task, outbox, *message)


def _error_message(exc: BaseException) -> str:
    from .ingest import InputError

    if isinstance(exc, InputError):
        return str(exc)
    first = str(exc).splitlines()[0] if str(exc) else ""
    log.error("task failed:\n%s", "".join(traceback.format_exception(exc)).rstrip())
    return f"unexpected error ({type(exc).__name__}: {first or exc!r}); please report it"


# --------------------------------------------------------------------------- batch side


class PoolError(Exception):
    """The pool cannot work at all (its worker processes do not start)."""


@dataclass
class _Running:
    task: _Task
    started: float
    deadline: float


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
        self.running: dict[int, _Running] = {}  # task id -> the task it holds

    def takes(self, task: _Task) -> bool:
        """Whether this worker can take `task` now."""
        if not self.ready or not self.process.is_alive():
            return False
        if task.solo:
            return not self.running
        return len(self.running) < TASKS_PER_WORKER and not any(r.task.solo for r in self.running.values())

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
    """`jobs` worker processes on this machine, two tasks each at a time; `preload`: modules each imports first."""

    def __init__(self, jobs: int, preload: tuple[str, ...] = ()) -> None:
        self.jobs = max(1, jobs)
        self.slots = self.jobs * TASKS_PER_WORKER
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
            for task_id, running in list(w.running.items()):
                if running.task.key == key:
                    del w.running[task_id]
                    self._requeue(w, solo=False)
                    self._replace(w)
                    break

    @property
    def busy(self) -> bool:
        return bool(self._queue) or any(w.running for w in self._workers)

    def poll(self, wait_seconds: float) -> list[Event]:
        """Start queued tasks on workers with room, then wait up to `wait_seconds` for something to happen."""
        events: list[Event] = []
        self._dispatch(events)
        if not self.busy:
            return events
        now = time.monotonic()
        nearest = min((r.deadline for w in self._workers for r in w.running.values()), default=float("inf"))
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
            late = [(i, r) for i, r in w.running.items() if now > r.deadline]
            if late:
                self._timed_out(w, late, events)
        self._dispatch(events)
        return events

    def close(self, kill: bool = False) -> None:
        for w in self._workers:
            if not kill and not w.running:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self._workers:
            if kill or w.running:
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
            task = self._queue[0]
            room = [w for w in self._workers if w.takes(task)]
            if len(self._workers) < self.jobs and all(w.running for w in room):  # fill new workers before doubling up
                self._workers.append(_Worker(self._ctx, self.preload))
                continue
            if not room:
                return
            worker = min(room, key=lambda w: len(w.running))
            heapq.heappop(self._queue)
            task_id = next(self._ids)
            try:
                worker.conn.send((task_id, task.fn, task.args, task.kwargs, task.progress))
            except (OSError, ValueError) as exc:  # the worker died, or the task cannot be pickled
                if isinstance(exc, OSError):
                    heapq.heappush(self._queue, task)
                    self._requeue(worker, solo=False)
                    self._replace(worker)
                else:
                    events.append(Event("failed", task.key, f"the task could not be sent to a worker ({exc})", "error"))
                continue
            now = time.monotonic()
            worker.running[task_id] = _Running(task, now, now + task.timeout + grace_for(task.timeout))

    def _receive(self, w: _Worker, events: list[Event]) -> None:
        try:
            while w.conn.poll():
                message = w.conn.recv()
                kind = message[0]
                if kind == "ready":
                    w.ready = True
                    self._failed_starts = 0
                    continue
                if kind == "log":
                    record = logging.makeLogRecord(message[1])
                    logging.getLogger(record.name).handle(record)
                    continue
                running = w.running.get(message[1])
                if running is None:
                    continue
                task = running.task
                if kind == "wait":  # queued at the engine gate behind the other task: not its own time
                    running.deadline = float("inf")
                elif kind == "go":
                    running.deadline = time.monotonic() + task.timeout + grace_for(task.timeout)
                elif kind == "progress":
                    _, _, info, allow = message
                    allow = task.timeout if allow is None else allow
                    running.deadline = time.monotonic() + allow + grace_for(allow)
                    events.append(Event("progress", task.key, info))
                else:
                    _, _, value, seconds, rss = message
                    self.peak_rss_kb = max(self.peak_rss_kb, rss)
                    del w.running[message[1]]
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
        if len(w.running) == 1:
            running = w.running.popitem()[1]
            seconds = time.monotonic() - running.started
            events.append(Event("failed", running.task.key, describe_exit(exitcode), "crash", seconds=seconds))
        elif w.running:
            log.info("worker process %s %s holding %d tasks; each runs again alone", w.process.pid,
                     describe_exit(exitcode), len(w.running))
            self._requeue(w, solo=True)
        elif not w.ready:
            self._failed_starts += 1
            if self._failed_starts >= 3:
                raise PoolError(f"worker processes cannot start ({describe_exit(exitcode)}); run with -v to see why")
        log.warning("worker process %s %s; starting a new one", w.process.pid, describe_exit(exitcode))
        self._replace(w)

    def _timed_out(self, w: _Worker, late: list[tuple[int, _Running]], events: list[Event]) -> None:
        now = time.monotonic()
        for task_id, running in late:
            log.warning("worker process %s made no progress in time on %s; stopping it", w.process.pid, running.task.key)
            del w.running[task_id]
            events.append(Event("failed", running.task.key, "no progress in time", "timeout", seconds=now - running.started))
        self._requeue(w, solo=False)
        self._replace(w)

    def _requeue(self, w: _Worker, solo: bool) -> None:
        """Put the tasks a worker about to be stopped still holds back in the queue, in their places."""
        for running in w.running.values():
            heapq.heappush(self._queue, replace(running.task, solo=solo) if solo else running.task)
        w.running.clear()

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
        self.jobs = self.slots = threads
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
