"""The exit codes of `vnocr`, and the errors that carry them.

Every error a user can act on derives from `VnocrError` and states its exit
code; `cli.main` is the one place that turns such an error into a line on
stderr and that code. `InputError` is also a per-file outcome: the batch
records it in the manifest and goes on.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # some input, document or export failed; each is named on stderr
    USAGE = 2  # the command cannot run as given (missing folder, bad query, unreachable cluster...)
    INTERRUPTED = 130  # Ctrl+C or SIGTERM; the next run resumes


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


class BatchError(VnocrError):
    """The batch cannot run at all (not one input's problem)."""


class PoolError(VnocrError):
    """The worker pool cannot work at all (its worker processes do not start)."""


class SearchError(VnocrError, ValueError):
    """A search the user can fix: a missing index, an empty query, a bad date."""


class ExportError(VnocrError, RuntimeError):
    """An export that cannot run at all (no documents, no usable font...)."""


def failure_message(exc: BaseException) -> str:
    """What a failed input's manifest line says: an `InputError` in its own words, anything else as a bug to report."""
    if isinstance(exc, InputError):
        return str(exc)
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"unexpected error ({type(exc).__name__}: {first or exc!r}); please report it"
