"""The exit codes of `vnocr`, and the errors that carry them.

Every error a user can act on derives from `VnocrError` and states its exit
code; `cli.main` is the one place that turns such an error into a line on
stderr and that code. `InputError` is also a per-file outcome: the batch
records it in the manifest and goes on.
"""

from __future__ import annotations

import os
import sys
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # some input, document or export failed (each named on stderr), or OUT could not be written
    USAGE = 2  # the command cannot run as given (missing folder, bad query, unreachable cluster...)
    INTERRUPTED = 130  # Ctrl+C or SIGTERM; the next run resumes
    BROKEN_PIPE = 141  # the reader of stdout went away (`vnocr search ... | head`): 128 + SIGPIPE, as a shell reports it


class VnocrError(Exception):
    """An error with a message a user can act on, and the exit code it ends the command with."""

    exit_code = ExitCode.USAGE


class UsageError(VnocrError):
    """A command given something it cannot work on (a file where a folder is needed...)."""


class SettingsError(UsageError, ValueError):
    """A setting out of its range (an unknown preprocessing step or tone style...)."""


class MissingInput(UsageError, FileNotFoundError):
    """An input named on the command line that does not exist."""


class InputError(VnocrError):
    """An input that cannot be read; the message says why in words a clerk can act on."""

    exit_code = ExitCode.FAILED


class OutputError(InputError):
    """An input whose outputs cannot be written (a full disk, a folder made read-only): recorded like any
    failed input; the message names the file that could not be written and why."""


class BatchError(VnocrError):
    """The batch cannot run at all (not one input's problem)."""


class PoolError(VnocrError):
    """The worker pool cannot work at all (its worker processes do not start)."""


class SearchError(VnocrError, ValueError):
    """A search the user can fix: a missing index, an empty query, a bad date."""


class ExportError(VnocrError, RuntimeError):
    """An export that cannot run at all (no documents, no usable font...)."""


def missing_library(exc: BaseException) -> str | None:
    """The line for an error that says a library is not installed (an import, or pypdf's optional
    `cryptography` for AES-encrypted PDFs); None for any other error."""
    if isinstance(exc, ImportError):
        name = (exc.name or "").split(".")[0]
        what = f"the Python module {name!r} is not installed" if name else str(exc)
        return f"a library is missing: {what} (reinstall vnocr with its dependencies)"
    pypdf_errors = sys.modules.get("pypdf.errors")  # not loaded: the error cannot be pypdf's
    if pypdf_errors is not None and isinstance(exc, pypdf_errors.DependencyError):
        return f"a library is missing: {exc}"
    return None


def failure_message(exc: BaseException) -> str:
    """What a failed input's manifest line says: an `InputError` in its own words, a missing library by
    name, anything else as a bug to report."""
    if isinstance(exc, InputError):
        return str(exc)
    missing = missing_library(exc)
    if missing:
        return missing
    if isinstance(exc, OSError) and exc.strerror:  # the system's own words: a full disk, a permission, a lost file
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"unexpected error ({type(exc).__name__}: {first or repr(exc)}); please report it"


def reader_gone() -> None:
    """Stdout's reader went away (`vnocr search ... | head`): what is still written goes to /dev/null, so that
    no later write, nor Python's flush at exit, fails again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
