"""Benchmark repair as a worker meets it: model load, memory, speed on first sight and once warm.

A fresh process (as a batch worker starts) loads the dictionaries, then repairs
the held-out documents of the corpus with every mark removed, document by
document (first sight: nothing cached), then the same documents again (warm).
Speeds are syllables per second of CPU time of that one process (on a loaded
machine the wall clock says more about the neighbours), wall clock beside.

    .venv/bin/python scripts/bench_repair.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"load_s": 1.0, "rss_mb": 400, "first": 15_000, "warm": 20_000}


def worker() -> dict:
    """One measurement, in this process (started fresh by `main`)."""
    wall, cpu = time.perf_counter(), time.process_time()
    sys.path.insert(0, str(ROOT))
    from pipeline.text.corpus import documents
    from pipeline.text.repair import Params, shared_repairer
    from pipeline.text.vietnamese import fold, normalize_text

    repairer = shared_repairer()
    load = (time.perf_counter() - wall, time.process_time() - cpu)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    docs = [[fold(normalize_text(raw)).split() for raw in p.read_text("utf-8").splitlines() if raw.strip()] for p in documents(heldout=True)]
    syllables = sum(1 for doc in docs for line in doc for t in line if any(c.isalpha() for c in t))
    runs = []
    for _ in range(2):
        wall, cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            repairer.repair_paragraphs(doc, Params.estimate([t for line in doc for t in line], repairer.lexicon))
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return {
        "load_wall": load[0], "load_cpu": load[1], "rss_loaded": rss_loaded,
        "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "syllables": syllables,
        "first_cpu": syllables / runs[0][1], "first_wall": syllables / runs[0][0],
        "warm_cpu": syllables / runs[1][1], "warm_wall": syllables / runs[1][0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker()))
        return
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, __file__, "--worker"], capture_output=True, text=True, check=True, timeout=1800)
        runs.append(json.loads(out.stdout))

    def span(key: str, fmt: str = "{:,.0f}") -> str:
        values = sorted(r[key] for r in runs)
        return fmt.format(values[0]) if values[0] == values[-1] else f"{fmt.format(values[0])}-{fmt.format(values[-1])}"

    print(f"repair, one worker process, {runs[0]['syllables']:,} held-out syllables (marks removed), {args.repeat} runs:")
    print(f"  model load: {span('load_wall', '{:.2f}')} s wall ({span('load_cpu', '{:.2f}')} s CPU)   target <= {TARGETS['load_s']} s")
    print(f"  memory: {span('rss_loaded')} MB loaded, {span('rss_peak')} MB peak   target <= {TARGETS['rss_mb']} MB")
    print(f"  first sight: {span('first_cpu')} syllables/s CPU ({span('first_wall')} wall)   target >= {TARGETS['first']:,}")
    print(f"  warm: {span('warm_cpu')} syllables/s CPU ({span('warm_wall')} wall)   target >= {TARGETS['warm']:,}")


if __name__ == "__main__":
    main()
