"""Batch: run the flow over many inputs, keep the manifest, report the outcome."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .flow import Outcome, Settings, process_file
from .ingest import discover
from .outputs import Manifest

log = logging.getLogger(__name__)


@dataclass
class Summary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        entry = outcome.entry
        if entry.status == "ok":
            self.ok += 1
        elif entry.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append((entry.input, entry.error or "unknown error"))

    def line(self) -> str:
        return f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped"


def run(inputs: list[Path], out_dir: Path, settings: Settings) -> Summary:
    """Process every input in turn; a failing input is recorded and the run goes on."""
    items = discover(inputs)
    manifest = Manifest(out_dir)
    manifest.compact()
    summary = Summary()
    for item in items:
        outcome = process_file(item, out_dir, settings)
        manifest.append(outcome.entry)
        summary.add(outcome)
        if outcome.entry.status == "error":
            print(f"vnocr: {item.path}: {outcome.entry.error}", file=sys.stderr)
    manifest.compact()
    return summary
