"""Batch speed figures (`make bench`): vnocr against the bare tesseract CLI on the same rendered pages.

    python scripts/bench_batch.py [--pages 20] [--keep DIR]

Renders at least 20 pages of the project's documents (pipeline/synth/, scan-like
degradation), then times, with OMP_THREAD_LIMIT=1 throughout:

- bare `tesseract PAGE OUT --psm 3 --dpi 300 -l vie`, page by page, one at a time
  (and as many at a time as there are cores);
- `vnocr process --jobs 1` with repair off, then with repair on (overhead = vnocr / bare);
- for diagnosis: `--preprocess none`, and the flow called in one process without the batch layer;
- `vnocr process --jobs N` (N = cores) with repair off (speed-up over --jobs 1);
- the same command again over the finished folder (resume, against the first run);
- peak memory per worker (the worker process, and the worker with the tesseract it runs).

Prints the figures with the core count and the targets; always exits 0 unless something breaks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.batch.runner import default_jobs  # noqa: E402

TESS_ARGS = ["--psm", "3", "--dpi", "300", "-l", "vie"]
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def render_pages(folder: Path, count: int) -> list[Path]:
    """At least `count` scan-like A4 pages at 300 DPI, as PNG files."""
    from pipeline.synth.page import render_document
    from pipeline.synth.scan import Degradation, degrade

    sources = sorted((ROOT / "corpus" / "documents").glob("*.txt")) or sorted((ROOT / "samples" / "src").glob("*.txt"))
    if not sources:
        raise SystemExit("no documents to render (corpus/documents/*.txt or samples/src/*.txt)")
    paths: list[Path] = []
    look = Degradation(rotation_deg=0.4, noise=4.0, blur=0.6, speckles=0.0002)
    for source in sources:
        for page in render_document(source.read_text("utf-8"), dpi=300):
            path = folder / f"{source.stem}-p{len(paths) + 1:02d}.png"
            degrade(page, look, seed=len(paths)).convert("L").save(path, dpi=(300, 300))
            paths.append(path)
            if len(paths) >= count:
                return paths
    return paths


def children_cpu() -> float:
    """CPU seconds of every finished child process (and theirs: workers, tesseract, poppler)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_tesseract(pages: list[Path], out: Path, parallel: int) -> tuple[float, float]:
    out.mkdir(parents=True, exist_ok=True)
    cpu = children_cpu()

    def one(page: Path) -> None:
        subprocess.run(["tesseract", str(page), str(out / page.stem), *TESS_ARGS], env=ENV, check=True,
                       capture_output=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - start, children_cpu() - cpu


class PeakMemory:
    """Samples the worker processes of a running vnocr: each worker alone, and with its children (tesseract)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.worker_mb = 0.0
        self.tree_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            parent = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.wait(0.05):
            try:
                workers = parent.children()
            except psutil.NoSuchProcess:
                return
            for worker in workers:
                try:
                    own = worker.memory_info().rss
                    kids = sum(c.memory_info().rss for c in worker.children(recursive=True))
                except psutil.Error:
                    continue
                self.worker_mb = max(self.worker_mb, own / 2**20)
                self.tree_mb = max(self.tree_mb, (own + kids) / 2**20)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def vnocr(pages_dir: Path, out: Path, *args: str) -> tuple[float, float, PeakMemory, dict]:
    cmd = [sys.executable, "-m", "pipeline.cli", "process", str(pages_dir), "-o", str(out), "-q", *args]
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=ENV, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid)
    _, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    memory.stop()
    if proc.returncode != 0:
        raise SystemExit(f"vnocr failed ({proc.returncode}): {stderr}")
    return elapsed, children_cpu() - cpu, memory, json.loads((out / "summary.json").read_text())


def flow_in_one_process(pages_dir: Path, out: Path) -> tuple[float, float]:
    """The flow (repair off) over the pages in one plain loop: what vnocr costs without the batch layer."""
    code = (
        "import sys; from pathlib import Path; from pipeline import flow; from pipeline.ingest.files import discover; from pipeline.settings import Settings; "
        "settings = Settings(repair=False); "
        "[flow.process_file(item, Path(sys.argv[2]), settings) for item in discover([Path(sys.argv[1])])]"
    )
    cpu = children_cpu()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(pages_dir), str(out)], env=ENV, cwd=ROOT, check=True)
    return time.perf_counter() - start, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20, help="pages to render (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    cores = default_jobs()
    work = args.keep or Path(tempfile.mkdtemp(prefix="vnocr-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        pages_dir = work / "pages"
        if pages_dir.exists():
            shutil.rmtree(pages_dir)
        pages_dir.mkdir()
        pages = render_pages(pages_dir, args.pages)
        load_before = os.getloadavg()[0]
        print(f"vnocr batch bench: {len(pages)} rendered pages, {cores} cores, tesseract with OMP_THREAD_LIMIT=1; "
              f"load average {load_before:.1f}", flush=True)
        line = "  {:<42} {:7.1f} s wall {:7.1f} s CPU"

        bare1, bare1_cpu = bare_tesseract(pages, work / "bare1", 1)
        print(line.format("bare tesseract, one page at a time", bare1, bare1_cpu), flush=True)
        bare_n, bare_n_cpu = bare_tesseract(pages, work / "bareN", cores)
        print(line.format(f"bare tesseract, {cores} pages at a time", bare_n, bare_n_cpu), flush=True)

        for name in ("v1", "v1p", "flow", "v1r", "vN"):
            shutil.rmtree(work / name, ignore_errors=True)
        # the --jobs 1 / --jobs N pair back to back: the speed-up is the figure most hurt by other load
        v1, v1_cpu, mem1, _ = vnocr(pages_dir, work / "v1", "--jobs", "1", "--no-repair")
        print(line.format("vnocr --jobs 1, repair off", v1, v1_cpu), flush=True)
        vn, vn_cpu, mem_n, summary_n = vnocr(pages_dir, work / "vN", "--jobs", str(cores), "--no-repair")
        print(line.format(f"vnocr --jobs {cores}, repair off", vn, vn_cpu), flush=True)
        resume, resume_cpu, _, summary_resume = vnocr(pages_dir, work / "vN", "--jobs", str(cores), "--no-repair")
        print(line.format(f"vnocr --jobs {cores}, again (resume)", resume, resume_cpu), flush=True)
        assert summary_resume["skipped"] == len(pages), summary_resume
        v1r, v1r_cpu, mem1r, summary1r = vnocr(pages_dir, work / "v1r", "--jobs", "1")
        print(line.format("vnocr --jobs 1, repair on", v1r, v1r_cpu), flush=True)
        v1p, v1p_cpu, _, _ = vnocr(pages_dir, work / "v1p", "--jobs", "1", "--no-repair", "--preprocess", "none")
        print(line.format("vnocr --jobs 1, repair off, no preprocess", v1p, v1p_cpu), flush=True)
        flow1, flow1_cpu = flow_in_one_process(pages_dir, work / "flow")
        print(line.format("flow alone in one process, repair off", flow1, flow1_cpu), flush=True)
        load_after = os.getloadavg()[0]

        worker_mb = max(m.worker_mb for m in (mem1, mem1r, mem_n))
        tree_mb = max(m.tree_mb for m in (mem1, mem1r, mem_n))
        reported_mb = max(summary1r["peak_worker_rss_mb"], summary_n["peak_worker_rss_mb"])
        figures = [
            ("overhead, repair off (vnocr -j1 / bare), wall", v1 / bare1, "<= 1.10", v1 / bare1 <= 1.10, "x"),
            ("overhead, repair off, CPU time", v1_cpu / bare1_cpu, "<= 1.10", v1_cpu / bare1_cpu <= 1.10, "x"),
            ("  same with --preprocess none, CPU", v1p_cpu / bare1_cpu, "(info)", None, "x"),
            ("  batch layer alone (vnocr -j1 / flow loop), CPU", v1_cpu / flow1_cpu, "(info)", None, "x"),
            ("overhead, repair on  (vnocr -j1 / bare), wall", v1r / bare1, "<= 1.20", v1r / bare1 <= 1.20, "x"),
            ("overhead, repair on, CPU time", v1r_cpu / bare1_cpu, "<= 1.20", v1r_cpu / bare1_cpu <= 1.20, "x"),
            (f"overhead at full load (vnocr -j{cores} / bare x{cores})", vn / bare_n, "(info)", None, "x"),
            (f"speed-up --jobs {cores} over --jobs 1", v1 / vn, ">= 1.70" if cores >= 2 else "(1 core)",
             v1 / vn >= 1.70 if cores >= 2 else None, "x"),
            ("peak RSS per worker (process)", max(worker_mb, reported_mb), "< 600", max(worker_mb, reported_mb) < 600, " MB"),
            ("peak RSS per worker (with its tesseract)", tree_mb, "< 600", tree_mb < 600, " MB"),
            ("resume time / first run", resume / vn * 100, "< 2", resume / vn * 100 < 2, " %"),
        ]
        print(f"\nfigures ({cores} cores, {len(pages)} pages, {summary_n['pages_per_minute']:.1f} pages/min at --jobs {cores}; "
              f"load average {load_before:.1f} before, {load_after:.1f} after):")
        if load_before > 0.5 * cores:  # (the load after includes this bench's own processes)
            print("  note: the machine was busy with other work; wall-clock figures are unreliable, CPU-time ones less so")
        for name, value, target, ok, unit in figures:
            verdict = "" if ok is None else ("ok" if ok else "MISSED")
            print(f"  {name:<50} {value:8.2f}{unit:<3}  target {target:<8} {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
