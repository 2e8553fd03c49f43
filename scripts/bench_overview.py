"""Benchmark the Overview (`make bench`): figures, report and page on a large archive.

    .venv/bin/python scripts/bench_overview.py [--docs 500] [--keep DIR]

Runs `vnocr process` on `samples/` (plus two inputs that fail), then copies those documents under
`copy-N/` until the archive holds `--docs` documents, each given its own type, issuer, date, flags and
confidences, with a manifest line each (some failed, for several reasons) and an audit log of several
clerks over several days. Then times: building the figures from nothing and `OUT/report.html` (and
its size); the review app on uvicorn answering the Overview page and `GET /api/overview` (first and
warm), and again after a clerk's saved correction; the documents list for comparison.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.outputs import atomic_write_text, json_text  # noqa: E402
from pipeline.review.report import write_report  # noqa: E402

TARGET_MS = 200.0
TYPES = ["BÁO CÁO", "KẾ HOẠCH", "QUYẾT ĐỊNH", "CÔNG VĂN", "THÔNG BÁO", "TỜ TRÌNH", ""]
ISSUERS = [f"ỦY BAN NHÂN DÂN {p}" for p in ("PHƯỜNG AN BÌNH", "XÃ PHÚ LỘC", "PHƯỜNG ĐÔNG HƯNG", "XÃ TÂN AN",
                                           "PHƯỜNG HÒA BÌNH", "XÃ AN PHÚ", "THỊ TRẤN LONG HẢI", "PHƯỜNG 7")]
FAILURES = [
    "the file is empty",
    "the PDF is encrypted and needs a password; save an unprotected copy and try again",
    "Tesseract did not finish within 120 s",
    "stopped on page {n}: no progress within 120 s (--page-timeout); the file may be damaged or far too complex",
]
CLERKS = ["Lan", "Minh", "Hoa", "Tuấn"]


def seed(work: Path) -> Path:
    """The project's samples (and two failing inputs) through `vnocr process`: real documents to copy."""
    src, out = work / "src", work / "seed"
    shutil.copytree(ROOT / "samples", src, ignore=shutil.ignore_patterns("README.md"))
    (src / "empty.pdf").write_bytes(b"")
    (src / "latin1.txt").write_bytes("Quy\xe9t \xf0inh".encode("latin-1"))
    subprocess.run([sys.executable, "-m", "pipeline.cli", "process", str(src), "-o", str(out), "-q"], cwd=ROOT,
                   capture_output=True)
    return out


def make_archive(seed_out: Path, out: Path, count: int) -> None:
    rng = random.Random(14)
    seeds = [p for p in sorted(seed_out.rglob("*.json")) if not p.name.startswith(".") and p.name != "summary.json"]
    datas = [json.loads(p.read_text("utf-8")) for p in seeds]
    manifest = []
    for n in range(count):
        data = json.loads(json.dumps(datas[n % len(datas)]))
        doc_id = f"copy-{n // 50:02d}/{Path(data['source']['name']).stem}-{n:04d}"
        s = data["structure"]
        s["doc_type"] = rng.choice(TYPES) or None
        s["issuer"] = {"name": rng.choice(ISSUERS), "lines": [], "parent": None}
        s["date"] = f"{rng.choice((2023, 2024, 2025))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() > 0.1 else None
        share = rng.random() ** 3 * 0.3
        for page in data["pages"]:
            for line in page["lines"]:
                for w in line["words"]:
                    w["flag"] = rng.random() < share
                    w["conf"] = round(rng.random() * 0.87, 3) if w["flag"] else round(0.87 + rng.random() * 0.13, 3)
        data["source"]["name"] = Path(doc_id).name + Path(data["source"]["name"]).suffix
        path = out / f"{doc_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json_text(data, separators=(",", ":")), "utf-8")
        manifest.append({"input": f"/archive/{doc_id}", "output": f"{doc_id}.json", "status": "ok", "error": None,
                         "pages": len(data["pages"]), "seconds": 1.0})
    for n in range(count // 25):
        error = rng.choice(FAILURES).format(n=rng.randint(2, 40))
        manifest.append({"input": f"/archive/failed/{n:03d}.pdf", "output": None, "status": "error", "error": error,
                         "pages": 0, "seconds": 0.5})
    atomic_write_text(out / "manifest.jsonl", "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in manifest))
    shutil.copy(seed_out / "summary.json", out / "summary.json")
    audit = []
    for n in range(count * 4):
        action = rng.choice(["correct", "correct", "confirm", "batch", "undo"])
        audit.append({"doc": "x", "word": f"p1-w{n}", "before": "a", "after": "a" if action == "confirm" else "b",
                      "who": rng.choice(CLERKS), "when": f"2026-11-{rng.randint(1, 30):02d}T10:00:00+00:00",
                      "action": action, **({"field": "number"} if n % 40 == 0 else {})})
    atomic_write_text(out / "audit.jsonl", "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in audit))


class Server:
    """The review app on uvicorn, in a thread, on a free port of 127.0.0.1."""

    def __init__(self, out: Path) -> None:
        import uvicorn

        from pipeline.review.app import create_app

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.app = create_app(out, token="bench")
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def timed_get(client, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    res = client.get(path)
    res.raise_for_status()
    return (time.perf_counter() - start) * 1000, len(res.content)


def main() -> int:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500, help="documents in the archive (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=20, help="warm requests timed (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="vnocr-bench-overview-"))
    work.mkdir(parents=True, exist_ok=True)
    out = work / "out"
    try:
        seed_out = seed(work) if not (work / "seed").exists() else work / "seed"
        shutil.rmtree(out, ignore_errors=True)
        make_archive(seed_out, out, args.docs)
        start = time.perf_counter()
        report = write_report(out)
        built = time.perf_counter() - start
        start = time.perf_counter()
        write_report(out)
        again = time.perf_counter() - start
        print(f"vnocr overview bench: {args.docs} documents, {sum(1 for _ in open(out / 'manifest.jsonl'))} manifest lines, "
              f"{sum(1 for _ in open(out / 'audit.jsonl'))} audit lines")
        print(f"  figures and report from nothing        {built * 1000:8.0f} ms")
        print(f"  again, nothing changed (end of a run)  {again * 1000:8.0f} ms")
        print(f"  report.html                            {report.stat().st_size / 1024:8.0f} KB")
        print(f"  figures file (.overview.json)          {(out / '.overview.json').stat().st_size / 1024:8.0f} KB")
        with Server(out) as server, httpx.Client(base_url=server.url) as client:
            page_ms, _ = timed_get(client, "/")
            first_ms, size = timed_get(client, "/api/overview")
            warm = [timed_get(client, "/api/overview")[0] for _ in range(args.repeat)]
            queue = client.get("/api/queue").json()["items"][0]
            res = client.post("/api/correct", headers={"X-Vnocr-Token": "bench"}, json={
                "doc": queue["doc"], "word": queue["word"]["id"], "text": "đúng", "who": "Bench",
                "version": queue["version"], "seen": queue["word"]["seen"]})
            res.raise_for_status()
            saved_ms, _ = timed_get(client, "/api/overview")
            list_ms, _ = timed_get(client, "/api/documents")
        median = statistics.median(warm)
        print(f"  GET / (the Overview page's shell)      {page_ms:8.1f} ms")
        print(f"  GET /api/overview, first               {first_ms:8.1f} ms ({size / 1024:.0f} KB)")
        print(f"  GET /api/overview, warm (median of {args.repeat})  {median:8.1f} ms (max {max(warm):.1f})")
        print(f"  GET /api/overview after a save         {saved_ms:8.1f} ms")
        print(f"  GET /api/documents, first (for scale)  {list_ms:8.1f} ms")
        worst = max(page_ms + first_ms, page_ms + saved_ms, page_ms + max(warm))
        verdict = "ok" if worst < TARGET_MS else "MISSED"
        print(f"  Overview answers (shell + figures), worst {worst:6.1f} ms  target < {TARGET_MS:.0f} ms  {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
