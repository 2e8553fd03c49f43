"""Archive batches on real processes and real Tesseract: resume after kill -9, bad and hanging inputs,
crashing workers, exit codes, the manifest's completeness, watch mode, the Dask path."""

from __future__ import annotations

import fcntl
import io
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import psutil
from PIL import Image
from pypdf import PdfWriter

from pipeline.batch.pool import LocalPool

from .conftest import draw_page, load_valid_json, scan_pdf

PAGE_LINES = [
    (40, 30, "ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH", True),
    (40, 110, "Số: 125/BC-UBND ngày 14 tháng 3 năm 2025", False),
    (40, 190, "Báo cáo kết quả chuyển đổi số của phường", False),
]


def small_page(extra: str = "") -> Image.Image:
    """A short page (a few lines at 300 DPI) that Tesseract reads in a fraction of a second."""
    lines = PAGE_LINES + ([(40, 270, extra, False)] if extra else [])
    return draw_page(lines, size=(1500, 360 if extra else 280))


def rendered_pdf(page: Image.Image, path: Path) -> None:
    """A PDF that poppler renders: the scan fills no page, so it is not extracted as it is."""
    path.write_bytes(scan_pdf(page, 100, whole=False))


def vnocr(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def start_vnocr(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})},
    )


def manifest_lines(out: Path) -> list[dict]:
    path = out / "manifest.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def png_bomb(width: int = 40000, height: int = 40000) -> bytes:
    """A tiny PNG that claims 1.6 gigapixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def fake_poppler(tmp: Path) -> dict:
    """PATH with a poppler that hangs on files named hang-render* (pdftoppm) and hang-info* (pdfinfo)."""
    bin_dir = tmp / "fakebin"
    bin_dir.mkdir()
    for tool, trigger in [("pdftoppm", "hang-render"), ("pdfinfo", "hang-info")]:
        real = subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip()
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\ncase "$*" in *{trigger}*) exec sleep 600;; esac\nexec {real} "$@"\n')
        script.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def sleepers() -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if (proc.info["cmdline"] or [])[:2] == ["sleep", "600"]:
            found.append(proc)
    return found


def outputs(out: Path) -> set[str]:
    return {
        str(p.relative_to(out)) for p in out.rglob("*")
        if p.is_file() and p.name not in {"manifest.jsonl", "summary.json", ".vnocr.lock", "report.html", ".overview.json",
                                          ".review.lock"}
    }


# --------------------------------------------------------------------------- the pool itself


def test_pool_isolates_crashes_hangs_and_errors() -> None:
    pool = LocalPool(2)
    try:
        pool.submit("ok", math.factorial, (5,), timeout=30)
        pool.submit("abort", os.abort, timeout=30)
        pool.submit("exit", os._exit, (3,), timeout=30)
        pool.submit("hang", subprocess.run, (["sleep", "600"],), timeout=0.5)
        pool.submit("error", int, ("x",), timeout=30)
        pool.submit("after", math.factorial, (6,), timeout=30, priority=-1)
        events = {}
        end = time.monotonic() + 60
        while pool.busy and time.monotonic() < end:
            for event in pool.poll(0.5):
                events[event.key] = event
        assert {k: e.kind for k, e in events.items()} == {
            "ok": "done", "abort": "failed", "exit": "failed", "hang": "failed", "error": "failed", "after": "done",
        }
        assert events["ok"].value == 120 and events["after"].value == 720
        assert events["abort"].reason == "crash" and "SIGABRT" in events["abort"].value
        assert events["exit"].reason == "crash" and "status 3" in events["exit"].value
        assert events["hang"].reason == "timeout" and events["hang"].seconds < 5
        assert events["error"].reason == "error" and "ValueError" in events["error"].value
    finally:
        pool.close()
    time.sleep(0.2)
    assert not sleepers(), "the hung task's child process survived its worker"


def test_pool_cancel_stops_a_running_task() -> None:
    pool = LocalPool(1)
    try:
        pool.submit("stuck", subprocess.run, (["sleep", "600"],), timeout=600)
        end = time.monotonic() + 30
        while not sleepers() and time.monotonic() < end:
            pool.poll(0.1)
        assert sleepers(), "the task never started"
        pool.cancel("stuck")
        assert not pool.busy
        pool.submit("next", math.factorial, (4,), timeout=30)
        events = []
        while pool.busy and time.monotonic() < end:
            events += pool.poll(0.5)
        assert [(e.key, e.kind, e.value) for e in events] == [("next", "done", 24)]
    finally:
        pool.close()
    assert not sleepers(), "the cancelled task's child survived"


# --------------------------------------------------------------------------- bad inputs


def test_bad_and_hanging_inputs_fail_alone(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    page = small_page()
    page.save(src / "good.png", dpi=(300, 300))
    (src / "good.txt").write_text("Số: 311/BC-UBND\n", "utf-8")
    (src / "empty.pdf").write_bytes(b"")
    buf = io.BytesIO()
    page.save(buf, format="PDF", resolution=300)
    (src / "truncated.pdf").write_bytes(buf.getvalue()[:200])
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    writer.write(src / "encrypted.pdf")
    (src / "lying.pdf").write_bytes((src / "good.png").read_bytes())
    (src / "bomb.png").write_bytes(png_bomb())
    (src / "bad.txt").write_bytes(b"Ngh\xef quy\xeat")
    rendered_pdf(page, src / "hang-render.pdf")
    rendered_pdf(page, src / "hang-info.pdf")
    out = tmp_path / "out"
    start = time.monotonic()
    result = vnocr("process", str(src), "-o", str(out), "--page-timeout", "5", "-j", "2", "--log-json",
                   env=fake_poppler(tmp_path))
    elapsed = time.monotonic() - start
    assert result.returncode == 1, result.stderr
    assert "2 ok, 8 failed, 0 skipped" in result.stderr
    assert "Traceback" not in result.stderr and "please report it" not in result.stderr, result.stderr
    errors = {Path(m["input"]).name: m["error"] for m in manifest_lines(out) if m["status"] == "error"}
    expected = {
        "empty.pdf": "empty",
        "truncated.pdf": "damaged",
        "encrypted.pdf": "encrypted",
        "lying.pdf": "content is a PNG",
        "bomb.png": "too large",
        "bad.txt": "not UTF-8",
        "hang-render.pdf": "poppler did not finish",
        "hang-info.pdf": "no progress within 5 s",
    }
    for name, words in expected.items():
        assert words in errors.pop(name), name
        assert f"failed: {src / name}:" in result.stderr
    assert not errors, errors
    assert len(manifest_lines(out)) == 10
    assert elapsed < 40, "hanging inputs slowed the batch beyond the page timeout"
    assert not sleepers(), "a hung poppler survived"
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event"] for e in events if e["event"] in ("start", "summary")] == ["start", "summary"]
    assert sum(e["event"] == "file" for e in events) == 10
    assert json.loads(result.stdout.splitlines()[-1])["failed"] == 8
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ok"] == 2 and summary["failed"] == 8 and len(summary["failures"]) == 8
    assert summary["pages"] == 2 and summary["words"] > 0 and 0 < summary["mean_confidence"] <= 1


def test_tesseract_crash_fails_the_image_only(tmp_path: Path) -> None:
    listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
    tessdata = Path(re.search(r'"(.+?)"', listing).group(1))
    model = bytearray((tessdata / "vie.traineddata").read_bytes())
    third = len(model) // 3
    model[third:third + 200_000] = b"\xff" * 200_000  # tesseract dies (SIGFPE) loading it
    broken = tmp_path / "tessdata"
    broken.mkdir()
    (broken / "broken.traineddata").write_bytes(bytes(model))
    src = tmp_path / "in"
    src.mkdir()
    small_page().save(src / "scan.png", dpi=(300, 300))
    (src / "note.txt").write_text("Ủy ban nhân dân\n", "utf-8")
    out = tmp_path / "out"
    result = vnocr("process", str(src), "-o", str(out), "--lang", "broken", env={"TESSDATA_PREFIX": str(broken)})
    assert result.returncode == 1, result.stderr
    assert "1 ok, 1 failed, 0 skipped" in result.stderr
    [failure] = [m for m in manifest_lines(out) if m["status"] == "error"]
    assert failure["input"].endswith("scan.png") and "Tesseract" in failure["error"]


def test_killed_worker_costs_one_file(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for n in range(4):
        small_page(f"Trang {n}").save(src / f"p{n}.png", dpi=(300, 300))
    out = tmp_path / "out"
    proc = start_vnocr("process", str(src), "-o", str(out), "-j", "1")
    victim = None
    end = time.monotonic() + 60
    while victim is None and time.monotonic() < end:
        for child in psutil.Process(proc.pid).children():
            if any(c.name() == "tesseract" for c in child.children()):
                victim = child
                break
        time.sleep(0.02)
    assert victim is not None, "no worker ever ran tesseract"
    victim.send_signal(signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    assert "3 ok, 1 failed, 0 skipped" in stderr
    [failure] = [m for m in manifest_lines(out) if m["status"] == "error"]
    assert "died" in failure["error"] and "SIGKILL" in failure["error"]
    again = vnocr("process", str(src), "-o", str(out), "-j", "1")
    assert again.returncode == 0 and "1 ok, 0 failed, 3 skipped" in again.stderr, again.stderr


# --------------------------------------------------------------------------- resume


def test_resume_after_kill_9_at_several_points(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    pages = [small_page(f"Mục {n}") for n in range(3)]
    pages[0].save(src / "book.pdf", resolution=300, save_all=True, append_images=pages[1:])
    for n in range(4):
        small_page(f"Phụ lục {n}").save(src / "sub" / f"scan{n}.png", dpi=(300, 300))
    (src / "a.txt").write_text("Số: 12/QĐ-UBND\n", "utf-8")
    (src / "b.txt").write_text("Điều 1. Phê duyệt kế hoạch\n", "utf-8")
    out = tmp_path / "out"
    args = ["process", str(src), "-o", str(out), "-j", "2", "--pages-per-task", "1"]
    for point in ["start", 1, 3, 5]:
        proc = start_vnocr(*args)
        workers = []
        end = time.monotonic() + 60
        while time.monotonic() < end and proc.poll() is None:
            workers = [c for c in psutil.Process(proc.pid).children() if "python" in c.name()] or workers
            if point == "start" and workers:
                break
            if point != "start" and len(manifest_lines(out)) >= point:
                break
            time.sleep(0.01)
        proc.kill()
        proc.communicate()
        gone, alive = psutil.wait_procs(workers, timeout=5)
        assert not alive, "workers outlived the killed batch"
    before = {m["input"] for m in manifest_lines(out) if m["status"] == "ok"}
    final = vnocr(*args)
    assert final.returncode == 0, final.stderr
    manifest = manifest_lines(out)
    inputs = sorted(str(p) for p in src.rglob("*") if p.is_file())
    assert sorted(m["input"] for m in manifest) == inputs, "not exactly one manifest line per input"
    assert all(m["status"] == "ok" for m in manifest)
    summary = json.loads((out / "summary.json").read_text())
    # finished before the last kill: skipped (also an output whose manifest line the kill cut off)
    assert summary["skipped"] >= len(before) and summary["ok"] + summary["skipped"] == len(inputs)
    expected = {"book.json", "book.txt", "a.json", "a.txt", "b.json", "b.txt"}
    expected |= {f"book.pages/p00{n}.jpg" for n in (1, 2, 3)}
    for n in range(4):
        expected |= {f"sub/scan{n}.json", f"sub/scan{n}.txt", f"sub/scan{n}.pages/p001.jpg"}
    assert outputs(out) == expected  # no temp files, nothing twice
    for name in expected:
        if name.endswith(".json"):
            load_valid_json(out / name)
    book = load_valid_json(out / "book.json")
    assert [p["number"] for p in book["pages"]] == [1, 2, 3]
    assert "Mục 2" in (out / "book.txt").read_text()


def test_resume_skips_by_hash_and_settings(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name, text in [("a", "Số: 1/BC-UBND\n"), ("b", "Kế hoạch\n"), ("c", "Quyết định\n")]:
        (src / f"{name}.txt").write_text(text, "utf-8")
    out = src / "out"  # OUT inside the input folder: its files are never taken as inputs
    run = lambda *extra: vnocr("process", str(src), "-o", str(out), "-q", "-j", "1", *extra)  # noqa: E731
    first = run()
    assert first.returncode == 0 and "3 ok, 0 failed, 0 skipped" in first.stderr, first.stderr
    assert first.stderr.strip().splitlines() == ["3 ok, 0 failed, 0 skipped"]  # --quiet
    assert "0 ok, 0 failed, 3 skipped" in run().stderr
    (src / "b.txt").write_text("Kế hoạch số 2\n", "utf-8")
    assert "1 ok, 0 failed, 2 skipped" in run().stderr
    assert "3 ok, 0 failed, 0 skipped" in run("--no-repair").stderr
    assert "3 ok, 0 failed, 0 skipped" in run("--no-repair", "--force").stderr
    (out / "manifest.jsonl").unlink()  # finished outputs are still recognised, and their lines restored
    assert "0 ok, 0 failed, 3 skipped" in run("--no-repair").stderr
    assert len(manifest_lines(out)) == 3
    os.utime(out / "c.json", ns=(0, 0))  # a run stopped between writing c.txt and c.json (an earlier run's JSON)
    (out / "manifest.jsonl").unlink()
    assert "1 ok, 0 failed, 2 skipped" in run("--no-repair").stderr
    assert sorted(Path(m["input"]).name for m in manifest_lines(out)) == ["a.txt", "b.txt", "c.txt"]


def test_one_run_per_output_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Số\n", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".vnocr.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        result = vnocr("process", str(tmp_path / "a.txt"), "-o", str(out))
    assert result.returncode == 2 and "another vnocr run" in result.stderr


# --------------------------------------------------------------------------- split PDFs and Dask


def comparable(out: Path) -> dict[str, object]:
    """Every output, with what legitimately differs between runs (times) removed."""
    found: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        rel = str(path.relative_to(out))
        if path.suffix == ".json" and path.name != "summary.json" and not path.name.startswith("."):
            data = load_valid_json(path)
            data.pop("created")
            data.pop("timings")
            for page in data["pages"]:
                page.pop("seconds")
                page.pop("timings")
            found[rel] = data
        elif path.suffix == ".txt":
            found[rel] = path.read_text()
        elif path.suffix == ".jpg":
            found[rel] = path.stat().st_size > 0
    return found


def test_split_pdf_and_dask_give_the_same_outputs(tmp_path: Path, monkeypatch) -> None:
    from distributed import LocalCluster

    src = tmp_path / "in"
    src.mkdir()
    pages = [small_page(f"Trang {n}") for n in range(1, 4)]
    pages[0].save(src / "book.pdf", resolution=300, save_all=True, append_images=pages[1:])
    small_page().save(src / "scan.png", dpi=(300, 300))
    (src / "old.txt").write_text("UY BAN NHAN DAN\n", "utf-8")
    (src / "empty.pdf").write_bytes(b"")
    whole = vnocr("process", str(src), "-o", str(tmp_path / "whole"), "-j", "2")
    split = vnocr("process", str(src), "-o", str(tmp_path / "split"), "-j", "2", "--pages-per-task", "1")
    assert whole.returncode == split.returncode == 1 and "3 ok, 1 failed" in split.stderr, split.stderr
    reference = comparable(tmp_path / "whole")
    assert "book.pages/p003.jpg" in reference and reference == comparable(tmp_path / "split")
    monkeypatch.setenv("PATH", fake_poppler(tmp_path)["PATH"])  # the cluster's workers get a poppler that can hang
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        dask_out = tmp_path / "dask"
        args = ["process", str(src), "-o", str(dask_out), "--dask", cluster.scheduler_address, "--pages-per-task", "1"]
        first = vnocr(*args)
        assert first.returncode == 1 and "3 ok, 1 failed, 0 skipped" in first.stderr, first.stderr
        assert comparable(dask_out) == reference
        again = vnocr(*args)
        assert "0 ok, 1 failed, 3 skipped" in again.stderr, again.stderr
        # a task stuck where nothing inside times out: cancelled, its worker restarted, the batch goes on
        stuck = tmp_path / "stuck"
        stuck.mkdir()
        rendered_pdf(small_page(), stuck / "hang-info.pdf")
        (stuck / "note.txt").write_text("Số\n", "utf-8")
        hung = vnocr("process", str(stuck), "-o", str(tmp_path / "stuck-out"), "--dask", cluster.scheduler_address,
                     "--page-timeout", "2")
        assert hung.returncode == 1 and "1 ok, 1 failed, 0 skipped" in hung.stderr, hung.stderr
        assert "no progress within 2 s" in hung.stderr
        for proc in sleepers():  # the hung pdfinfo a Dask worker left behind
            proc.kill()
    assert sorted(m["input"] for m in manifest_lines(dask_out)) == sorted(m["input"] for m in manifest_lines(tmp_path / "whole"))
    assert json.loads((dask_out / "summary.json").read_text())["executor"].startswith("Dask cluster")


# --------------------------------------------------------------------------- watch mode


def test_watch_takes_a_file_once_it_is_completely_written(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    args = ["watch", str(inbox), "-o", str(out), "-j", "1", "--interval", "0.2", "--settle", "1.5", "--log-json"]
    proc = start_vnocr(*args)
    try:
        buf = io.BytesIO()
        small_page().save(buf, format="PNG", dpi=(300, 300))
        data = buf.getvalue()
        size = len(data) // 6 + 1
        with open(inbox / "scan.png", "wb") as fh:  # a slow scanner: six chunks, 0.6 s apart
            for start in range(0, len(data), size):
                fh.write(data[start:start + size])
                fh.flush()
                time.sleep(0.6)
        (inbox / "note.txt").write_text("Số: 7/TB-UBND\n", "utf-8")
        end = time.monotonic() + 90
        while time.monotonic() < end and len([m for m in manifest_lines(out) if m["status"] == "ok"]) < 2:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    files = [json.loads(line) for line in stdout.splitlines() if json.loads(line)["event"] == "file"]
    assert sorted((Path(e["input"]).name, e["status"]) for e in files) == [("note.txt", "ok"), ("scan.png", "ok")]
    assert "Số: 125/BC-UBND" in (out / "scan.txt").read_text()
    assert len(manifest_lines(out)) == 2
    # a restarted watcher redoes nothing
    proc = start_vnocr(*args)
    time.sleep(4)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    events = [json.loads(line) for line in stdout.splitlines()]
    statuses = sorted((Path(e["input"]).name, e["status"]) for e in events if e["event"] == "file")
    assert proc.returncode == 0 and statuses == [("note.txt", "skipped"), ("scan.png", "skipped")], stdout
