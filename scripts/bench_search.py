"""Benchmark search: index build time per 1,000 pages and query latency, on documents made from the project's corpus.

The corpus texts (`corpus/documents/*.txt`) go through the real flow (text input,
no repair, structure) after being cut into A4-sized pages (form feeds about every
2,800 characters, as a page of 13-pt administrative text holds); the documents
are written as `vnocr process` writes their JSON, copied under several folders until the
index holds at least `--sections` rows, then `build_index` is timed from scratch,
again with nothing changed, and after one document changed. Queries (words with
and without marks, phrases, prefixes, OR, filters) are timed through `search()`
with a path, as the review app calls it.

    .venv/bin/python scripts/bench_search.py [--sections 5000] [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.flow import read_document  # noqa: E402
from pipeline.layout.structure import structure_document  # noqa: E402
from pipeline.outputs import atomic_write_json, write_document  # noqa: E402
from pipeline.outputs import read_document as read_json  # noqa: E402
from pipeline.search.documents import document_sections  # noqa: E402
from pipeline.search.index import build_index, connect  # noqa: E402
from pipeline.search.query import search  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.text.corpus import CORPUS_DIR  # noqa: E402

PAGE_CHARS = 2800
TARGET_MS = 20.0

QUERIES: list[tuple[str, dict]] = [
    ("chuyen doi so", {}),
    ("chuyển đổi số", {}),
    ("CHUYEN DOI SO", {}),
    ("dang uy", {}),
    ("Đảng ủy", {}),
    ('"cải cách hành chính"', {}),
    ('"dich vu cong truc tuyen"', {}),
    ("chuy*", {}),
    ("truc tuy*", {}),
    ("đồng", {}),
    ("dong", {}),
    ("ngân sách", {"type": "BC"}),
    ("ngan sach", {"from": "2025-01-01", "to": "2025-06-30"}),
    ("ve sinh moi truong", {"issuer": "phuong"}),
    ("phong chong thien tai OR bao lu", {}),
    ("tiem chung -covid", {}),
    ("giai phong mat bang", {"type": "QĐ"}),
    ("hồ sơ", {}),
    ("57-NQ/TW", {}),
    ("Nguyễn Văn", {}),
    ("kiểm tra", {"type": "KH"}),
    ("an ninh trat tu", {}),
    ("thu gom rac thai", {}),
    ("xu phat vi pham hanh chinh", {}),
    ("y te", {"from": "2025"}),
]


def paged(text: str, size: int = PAGE_CHARS) -> str:
    """Cut the text into pages at line ends, about `size` characters a page."""
    pages, current, length = [], [], 0
    for line in text.splitlines():
        if current and length + len(line) > size:
            pages.append("\n".join(current))
            current, length = [], 0
        current.append(line)
        length += len(line) + 1
    pages.append("\n".join(current))
    return "\f".join(pages) + "\n"


def make_archive(out: Path, want_sections: int) -> tuple[int, int, int]:
    """Documents from the corpus, copied under `copy-N/` until their rows reach `want_sections`: (docs, pages, rows)."""
    sources = sorted(CORPUS_DIR.glob("*.txt"))
    if not sources:
        sys.exit(f"no corpus texts in {CORPUS_DIR}")
    docs = []
    with tempfile.TemporaryDirectory() as tmp:
        for src in sources:
            path = Path(tmp) / src.name
            path.write_text(paged(src.read_text("utf-8")), "utf-8")
            docs.append(read_document(path, Settings(repair=False, page_images=False)))
    rows = sum(len(document_sections(d)) for d in docs)
    pages = sum(len(d.pages) for d in docs)
    copies = max(1, -(-want_sections // max(rows, 1)))
    for n in range(1, copies + 1):
        for doc in docs:  # as `write_document` writes them, without validating each against the schema (slow)
            atomic_write_json(out / f"copy-{n:02d}" / (Path(doc.source.name).stem + ".json"), doc.to_dict())
    return len(docs) * copies, pages * copies, rows * copies


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=5000, help="rows the index must hold at least (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="build the archive and index in this folder and keep them")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 when the median query takes {TARGET_MS:.0f} ms or more")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="vnocr-bench-"))
    out, db = work / "out", work / "archive.sqlite"
    if out.exists():
        shutil.rmtree(out)
    db.unlink(missing_ok=True)
    try:
        (n_docs, n_pages, n_rows), seconds = timed(make_archive, out, args.sections)
        print(f"archive: {n_docs} documents, {n_pages} pages, {n_rows} sections from {CORPUS_DIR.relative_to(ROOT)} (made in {seconds:.1f} s)")

        report, build = timed(build_index, out, db)
        assert report.added == n_docs and report.sections == n_rows, report
        size = db.stat().st_size / 1e6
        print(f"index build: {build:.2f} s for {report.pages} pages = {build / report.pages * 1000:.2f} s per 1,000 pages"
              f" ({report.sections / build:.0f} sections/s; index {size:.1f} MB)")

        report, again = timed(build_index, out, db)
        assert report.unchanged == n_docs and report.sections == 0, report
        print(f"re-index, nothing changed: {again:.2f} s ({n_docs} documents checked: size and mtime as indexed)")

        path = next(out.rglob("*.json"))
        doc = read_json(path)
        word = next(w for w in doc.words() if len(w.text) > 3)
        word.set_text(word.text + "x", "clerk", who="bench")
        doc.version += 1
        write_document(structure_document(doc), path)
        report, one = timed(build_index, out, db)
        assert report.updated == 1, report
        print(f"re-index after one clerk correction: {one:.2f} s")

        latencies: list[float] = []
        per_query = []
        for query, filters in QUERIES:
            search(db, query, filters)  # warm the page cache
            runs = []
            for _ in range(args.repeat):
                hits, seconds = timed(search, db, query, filters)
                runs.append(seconds * 1000)
            latencies += runs
            per_query.append((statistics.median(runs), query, filters, len(hits)))
        median = statistics.median(latencies)
        p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))]
        print(f"queries: {len(QUERIES)} x {args.repeat} runs on {n_rows} sections: median {median:.2f} ms, p95 {p95:.2f} ms,"
              f" slowest {max(latencies):.2f} ms (target: median under {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'MISSED'})")
        for ms, query, filters, hits in sorted(per_query, reverse=True)[:5]:
            print(f"  {ms:6.2f} ms  {query!r} {filters or ''} ({hits} hits)")
        conn = connect(db)
        try:
            held = [timed(search, conn, query, filters)[1] * 1000 for query, filters in QUERIES for _ in range(args.repeat)]
        finally:
            conn.close()
        print(f"same queries on one open connection (as a web app can hold): median {statistics.median(held):.2f} ms")
        return 1 if args.strict and median >= TARGET_MS else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
