"""Faults injected on purpose, as OCRmyPDF's tests do: a `tesseract` that crashes, hangs or writes garbage, a
poppler that hangs (fake programs put first on PATH), a full disk while the JSON or the manifest is written, an
output folder made read-only half-way, SIGTERM, a reader of stdout that goes away, a missing library, file
names with newlines, quotes, decomposed accents and bytes that are not UTF-8, and (slow) 20,000 files killed
part-way.

After each: every failure is one line naming the file (never a traceback without -v), no partial or corrupt
output is left, the manifest is valid JSON Lines, and the next run resumes exactly (each input done once).
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import psutil
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from pipeline import outputs
from pipeline.batch.progress import Reporter
from pipeline.batch.runner import run
from pipeline.errors import OutputError, failure_message
from pipeline.flow import process_file
from pipeline.ingest.files import InputFile
from pipeline.settings import Settings

from .conftest import load_valid_json
from .test_batch import rendered_pdf, sleepers, small_page, start_vnocr, vnocr

REAL = {tool: shutil.which(tool) for tool in ("tesseract", "pdftoppm", "pdftotext")}


def fake_tool(tmp_path: Path, tool: str, body: str) -> dict:
    """The environment with a fake `tool` first on PATH: a shell script doing `body`; the real program still
    answers `--version`, `-v` and `--list-langs` (vnocr records the versions it ran)."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / tool
    script.write_text(f'#!/bin/sh\ncase "$1" in --version|-v|--list-langs) exec {REAL[tool]} "$@";; esac\n{body}\n')
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def scan_and_note(src: Path) -> None:
    """Two inputs: a scan (through Tesseract) and an OCR text (never near it)."""
    src.mkdir(parents=True, exist_ok=True)
    small_page().save(src / "scan.png", dpi=(300, 300))
    (src / "note.txt").write_text("Số: 7/TB-UBND\n", "utf-8")


def scanned_pdf(path: Path) -> None:
    """A PDF that poppler renders (a scan that does not fill its page) and whose text layer pdftotext reads."""
    rendered_pdf(small_page(), path)


def manifest(out: Path) -> list[dict]:
    """The manifest's entries; fails unless every line is one whole JSON object."""
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()]


def check_outputs(out: Path, stopped: bool = False) -> dict[str, dict]:
    """Nothing partial or corrupt in OUT: one manifest line per input, and a valid document (JSON and text) for
    each input recorded ok and for no other; no temporary file. After a run `stopped` part-way, a document may
    lack its line (the next run trusts it) and a temporary file no longer removable may stay (the next run
    removes it). The entries by input file name."""
    assert stopped or not [p for p in out.rglob("*") if p.name.endswith(".tmp")], "a temporary file was left"
    entries = manifest(out)
    by_name = {Path(e["input"]).name: e for e in entries}
    assert len(by_name) == len(entries), "an input has two manifest lines"
    written = {str(p.relative_to(out)) for p in out.rglob("*.json") if p.name != "summary.json" and not p.name.startswith(".")}
    recorded = {e["output"] for e in entries if e["status"] == "ok"}
    assert recorded <= written if stopped else recorded == written
    for name in written:
        load_valid_json(out / name)
        assert (out / name).with_suffix(".txt").is_file()
    return by_name


def one_line_failures(result: subprocess.CompletedProcess) -> None:
    """No traceback on stderr, and no failure taken for a bug of vnocr either."""
    assert "Traceback" not in result.stderr, result.stderr
    assert "please report it" not in result.stderr, result.stderr


def resumes(src: Path, out: Path, done_before: int, total: int, *args: str, stopped: bool = False) -> None:
    """A run with the real programs finishes the rest: what was done is skipped, the rest done once (after a
    run `stopped` part-way, also what it wrote without recording)."""
    again = vnocr("process", str(src), "-o", str(out), "-j", "1", *args)
    one_line_failures(again)
    assert again.returncode == 0, again.stderr
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    if stopped:
        assert summary["failed"] == 0 and summary["skipped"] >= done_before, summary
        assert summary["ok"] + summary["skipped"] == total, summary
    else:
        assert f"{total - done_before} ok, 0 failed, {done_before} skipped" in again.stderr, again.stderr
    entries = check_outputs(out)
    assert len(entries) == total and all(e["status"] == "ok" for e in entries.values())


# --------------------------------------------------------------------------- Tesseract and poppler


GARBAGE_TSV = 'printf "level\\tleft\\ntext\\t\\377\\376 garbage\\n" > "$2.tsv"'  # $2: pytesseract's output base


@pytest.mark.parametrize(
    ("body", "args", "reason"),
    [
        ("kill -SEGV $$", (), "Tesseract failed (killed by SIGSEGV)"),
        ("exec sleep 600", ("--page-timeout", "2"), "Tesseract did not finish within 2 s"),
        (GARBAGE_TSV, (), "Tesseract wrote output that cannot be read"),
    ],
    ids=["crash", "hang", "garbage-tsv"],
)
def test_tesseract_faults_cost_the_scan_only(tmp_path: Path, body: str, args: tuple, reason: str) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    scan_and_note(src)
    result = vnocr("process", str(src), "-o", str(out), "-j", "1", *args, env=fake_tool(tmp_path, "tesseract", body))
    one_line_failures(result)
    assert result.returncode == 1 and "1 ok, 1 failed, 0 skipped" in result.stderr, result.stderr
    entries = check_outputs(out)
    assert reason in entries["scan.png"]["error"] and f"failed: {src / 'scan.png'}: " in result.stderr
    assert not sleepers(), "the hung tesseract survived"
    resumes(src, out, 1, 2)


def test_a_hung_text_layer_leaves_the_page_most_of_its_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The look at a page's text layer is given a third of the page timeout, so that a pdftotext that hangs for all
    of it leaves the page's OCR the rest before the pool's watchdog (the page timeout and a little grace) fires."""
    from pipeline.image import raster

    asked: list[float | None] = []
    monkeypatch.setattr(raster, "text_blocks", lambda path, number, timeout=None: asked.append(timeout) or [])
    scanned_pdf(tmp_path / "book.pdf")
    assert [p.number for p in raster.pdf_pages(tmp_path / "book.pdf", timeout=3.0)] == [1]
    assert asked == [pytest.approx(1.0)]


@pytest.mark.parametrize("tool", ["pdftoppm", "pdftotext"])
def test_hanging_poppler(tmp_path: Path, tool: str) -> None:
    """pdftoppm hanging fails the PDF, naming poppler; pdftotext hanging (the text layer) costs the layer only,
    the page is still read. Neither survives the run."""
    src, out = tmp_path / "in", tmp_path / "out"
    scan_and_note(src)
    scanned_pdf(src / "book.pdf")
    start = time.monotonic()
    result = vnocr("process", str(src), "-o", str(out), "-j", "2", "--page-timeout", "3",
                   env=fake_tool(tmp_path, tool, "exec sleep 600"))
    one_line_failures(result)
    assert time.monotonic() - start < 60
    assert not sleepers(), f"the hung {tool} survived"
    entries = check_outputs(out)
    if tool == "pdftoppm":
        assert result.returncode == 1 and "2 ok, 1 failed" in result.stderr, result.stderr
        assert "poppler did not finish" in entries["book.pdf"]["error"]
        resumes(src, out, 2, 3)
    else:
        assert result.returncode == 0, result.stderr
        assert "125/BC-UBND" in (out / "book.txt").read_text("utf-8")


# --------------------------------------------------------------------------- writing outputs


class FullDisk:
    """A file whose writes store half of what they are given, then fail as on a full disk."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str):
        return getattr(self.fh, name)

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()


def disk_full_for(monkeypatch, modes: set[str]) -> None:
    """From now on, files `pipeline.outputs` opens in one of `modes` fill the disk."""
    def full_open(file, mode="r", *args, **kwargs):
        fh = open(file, mode, *args, **kwargs)  # noqa: SIM115 - closed by FullDisk
        return FullDisk(fh) if mode in modes else fh

    monkeypatch.setattr(outputs, "open", full_open, raising=False)


def test_full_disk_while_writing_the_outputs(tmp_path: Path, monkeypatch) -> None:
    src, out = tmp_path / "a.txt", tmp_path / "out"
    src.write_text("Số: 12/QĐ-UBND\nĐiều 1. Phê duyệt kế hoạch\n", "utf-8")
    item, settings = InputFile(src, Path("a")), Settings(repair=False)
    assert process_file(item, out, settings).entry.status == "ok"
    before = {name: (out / name).read_bytes() for name in ("a.json", "a.txt")}
    src.write_text("Số: 13/QĐ-UBND\n", "utf-8")
    disk_full_for(monkeypatch, {"wb"})
    entry = process_file(item, out, settings).entry
    assert entry.status == "error" and entry.error == f"cannot write {out / 'a.txt'}: No space left on device"  # the text first
    assert {name: (out / name).read_bytes() for name in before} == before, "the earlier document was damaged"
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "a.txt"]
    monkeypatch.undo()
    assert process_file(item, out, settings).entry.status == "ok"
    load_valid_json(out / "a.json")
    assert (out / "a.txt").read_text("utf-8") == "Số: 13/QĐ-UBND\n"


def test_full_disk_while_appending_to_the_manifest(tmp_path: Path, monkeypatch) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for n in range(3):
        (src / f"{n}.txt").write_text(f"Số: {n}/TB-UBND\n", "utf-8")
    disk_full_for(monkeypatch, {"a"})
    with pytest.raises(OutputError, match=r"cannot write .*manifest\.jsonl: No space left on device"):
        run([src], out, Settings(repair=False), jobs=1)
    monkeypatch.undo()
    assert manifest(out) == [], "the torn line was not dropped"
    resumes(src, out, 1, 3, "--no-repair", stopped=True)  # the document written before the line failed is trusted


def as_root_without_overriding_permissions() -> list[str]:
    """Root writes into read-only folders; without these two capabilities it is refused like anyone."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: a read-only folder would not stop the run")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_output_folder_made_read_only_half_way(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for n in range(6):
        small_page(f"Trang {n}").save(src / f"p{n}.png", dpi=(300, 300))
    proc = subprocess.Popen(
        [*as_root_without_overriding_permissions(), sys.executable, "-m", "pipeline.cli", "process", str(src),
         "-o", str(out), "-j", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end and not ((out / "manifest.jsonl").exists() and manifest(out)):
            time.sleep(0.02)
        for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
            folder.chmod(0o555)
        (out / "manifest.jsonl").chmod(0o444)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
        for path in [out, *out.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1].startswith("vnocr: cannot write "), stderr
    done = sum(e["status"] == "ok" for e in check_outputs(out, stopped=True).values())
    assert done >= 1
    resumes(src, out, done, 6, stopped=True)


# --------------------------------------------------------------------------- stopping


def stop_once_recording(proc: subprocess.Popen, out: Path, then: float = 0.0) -> None:
    """SIGTERM to a running `vnocr process` once its manifest records an input (and `then` seconds more):
    it stops with 130 and its one line, and no worker outlives it."""
    end = time.monotonic() + 60
    while time.monotonic() < end and not ((out / "manifest.jsonl").exists() and manifest(out)):
        time.sleep(0.02)
    time.sleep(then)
    workers = psutil.Process(proc.pid).children()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted; run the same command again" in stderr, stderr
    _, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, "a worker outlived the run"


def test_sigterm_then_resume(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for n in range(8):
        small_page(f"Phụ lục {n}").save(src / f"scan{n}.png", dpi=(300, 300))
    stop_once_recording(start_vnocr("process", str(src), "-o", str(out), "-j", "2"), out)
    assert json.loads((out / "summary.json").read_text("utf-8"))["interrupted"] is True
    done = len(check_outputs(out, stopped=True))
    assert 1 <= done < 8
    resumes(src, out, done, 8, stopped=True)


def test_sigterm_lost_in_a_destructor_still_stops_the_run(tmp_path: Path, monkeypatch) -> None:
    """SIGTERM may arrive while the garbage collector runs a destructor (once the `regex` package's), where Python
    prints and ignores the KeyboardInterrupt its handler raises. The signal is remembered: the run still stops,
    marked interrupted, before it processes anything, and the signal's handler is given back."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "note.txt").write_text("Số: 7/TB-UBND\n", "utf-8")

    class Finalised:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)  # the handler runs here, inside the destructor

    class StartsByCollecting(Reporter):
        def start(self, files: int, executor: str = "") -> None:
            super().start(files, executor)
            Finalised()  # dropped at once: its destructor runs now

    ignored: list[type] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: ignored.append(unraisable.exc_type))
    handler = signal.getsignal(signal.SIGTERM)
    summary = run([src], out, Settings(repair=False), jobs=1, reporter=StartsByCollecting())
    assert ignored == [KeyboardInterrupt]
    assert summary.interrupted
    assert json.loads((out / "summary.json").read_text("utf-8"))["interrupted"] is True
    assert not (out / "note.json").exists()
    assert signal.getsignal(signal.SIGTERM) is handler


def test_reader_of_stdout_goes_away(tmp_path: Path) -> None:
    """`| head` closing the pipe: repair, search and process --log-json stop quietly with 141 (128 + SIGPIPE)."""
    text = tmp_path / "long.txt"
    text.write_text("Uy ban nhan dan phuong An Binh\n" * 2000, "utf-8")
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for n in range(4):
        (src / f"{n}.txt").write_text(f"Báo cáo chuyển đổi số {n}\n", "utf-8")
    assert vnocr("process", str(src), "-o", str(out), "--no-repair", "-q").returncode == 0
    db = tmp_path / "archive.sqlite"
    assert vnocr("index", str(out), "--db", str(db)).returncode == 0
    (src / "4.txt").write_text("Kế hoạch\n", "utf-8")
    for args in [("repair", "--json", str(text)), ("search", "--db", str(db), "chuyen doi so"),
                 ("process", str(src), "-o", str(out), "--no-repair", "--log-json", "-j", "1")]:
        proc = start_vnocr(*args)
        proc.stdout.close()  # the reader is gone before the first line
        stderr = proc.stderr.read()
        assert proc.wait(timeout=120) == 141, (args, stderr)
        assert stderr == "", (args, stderr)
    entries = check_outputs(out)
    assert len(entries) == 4  # the run stopped at its first line of output, before finishing 4.txt
    resumes(src, out, 4, 5, "--no-repair")


# --------------------------------------------------------------------------- libraries


def blocked(tmp_path: Path, module: str) -> dict:
    """The environment of a Python where `module` cannot be imported (as if not installed)."""
    site = tmp_path / f"without-{module}"
    site.mkdir()
    (site / "sitecustomize.py").write_text(f"import sys\nsys.modules[{module!r}] = None\n")
    return {"PYTHONPATH": str(site)}


def test_missing_library_is_named(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    scan_and_note(src)
    result = vnocr("process", str(src), "-o", str(out), "-j", "1", env=blocked(tmp_path, "cv2"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "vnocr: worker processes cannot start: a library is missing: the Python module 'cv2' is not installed "
        "(reinstall vnocr with its dependencies)")
    assert not (out / "manifest.jsonl").exists()
    # pypdf's AES needs `cryptography`: the PDF fails naming it, the rest goes on
    buf = io.BytesIO()
    Image.new("L", (200, 100), 255).save(buf, "PDF", resolution=100)
    writer = PdfWriter(clone_from=PdfReader(buf))
    writer.encrypt(user_password="", owner_password="secret", algorithm="AES-256")
    writer.write(src / "aes.pdf")
    result = vnocr("process", str(src), "-o", str(out), "-j", "1", env=blocked(tmp_path, "cryptography"))
    one_line_failures(result)
    assert result.returncode == 1 and "2 ok, 1 failed" in result.stderr, result.stderr
    assert "cryptography" in check_outputs(out)["aes.pdf"]["error"]


def test_failure_lines_for_libraries_and_the_system() -> None:
    from pypdf.errors import DependencyError

    with pytest.raises(ImportError) as missing:
        import vnocr_no_such_module  # noqa: F401
    assert failure_message(missing.value) == ("a library is missing: the Python module 'vnocr_no_such_module' is not "
                                              "installed (reinstall vnocr with its dependencies)")
    assert failure_message(DependencyError("brotli is required")) == "a library is missing: brotli is required"
    assert failure_message(OSError(errno.EACCES, "Permission denied", "/out/a.json")) == "/out/a.json: Permission denied"
    assert failure_message(ValueError("x")) == "unexpected error (ValueError: x); please report it"


# --------------------------------------------------------------------------- file names


def test_awkward_file_names(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    names = [
        "dòng\nmới.txt",
        "trích \"dẫn\" và 'nháy'.txt",
        unicodedata.normalize("NFD", "Quyết định số 5.txt"),
        "ảnh \"quét\"\n1.png",
    ]
    for name in names[:3]:
        (src / name).write_text("Ủy ban nhân dân\n", "utf-8")
    small_page().save(src / names[3], dpi=(300, 300))
    raw = os.fsencode(src) + b"/t\xeam \xff\xfe.txt"  # Windows-1258 bytes: not UTF-8
    with open(raw, "wb") as fh:
        fh.write("Số: 3/TB-UBND\n".encode())
    result = vnocr("process", str(src), "-o", str(out), "-j", "2", "--log-json")
    one_line_failures(result)
    assert result.returncode == 0 and "5 ok, 0 failed" in result.stderr, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert sum(e["event"] == "file" for e in events) == 5
    entries = check_outputs(out)
    assert {os.fsencode(e["input"]) for e in entries.values()} == {os.fsencode(p) for p in src.iterdir()}
    odd = next(e for e in entries.values() if os.fsencode(e["input"]) == raw)
    assert load_valid_json(out / odd["output"])["source"]["path"] == os.fsdecode(raw)
    assert "Số: 125/BC-UBND" in (out / "ảnh \"quét\"\n1.txt").read_text("utf-8")
    again = vnocr("process", str(src), "-o", str(out), "-j", "2")
    assert again.returncode == 0 and "0 ok, 0 failed, 5 skipped" in again.stderr, again.stderr
    assert len(manifest(out)) == 5


# --------------------------------------------------------------------------- scale


@pytest.mark.slow
def test_twenty_thousand_files_killed_and_resumed(tmp_path: Path) -> None:
    """A large folder: the batch killed (-9) part-way, then run again, gives every input exactly once; the batch
    process stays small, and a run over the finished folder only checks."""
    src, out = tmp_path / "in", tmp_path / "out"
    total = 20_000
    for n in range(total):
        folder = src / f"{n // 1000:02d}"
        if n % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"{n:05d}.txt").write_text(f"Số: {n}/TB-UBND\nThông báo số {n}\n", "utf-8")
    args = ("process", str(src), "-o", str(out), "--no-repair", "-q", "-j", "2")
    proc = start_vnocr(*args)
    batch, rss = psutil.Process(proc.pid), 0
    end = time.monotonic() + 300
    while time.monotonic() < end:
        rss = max(rss, batch.memory_info().rss)
        path = out / "manifest.jsonl"
        if path.exists() and path.read_bytes().count(b"\n") >= total // 4:
            break
        time.sleep(0.2)
    proc.kill()
    proc.communicate()
    done = (out / "manifest.jsonl").read_bytes().count(b"\n")
    assert rss < 300 * 2**20, f"the batch process grew to {rss / 2**20:.0f} MB"
    final = vnocr(*args, timeout=600)
    assert final.returncode == 0 and "Traceback" not in final.stderr, final.stderr
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["skipped"] >= done >= total // 4 and summary["ok"] + summary["skipped"] == total, summary
    entries = manifest(out)
    assert len(entries) == total and {e["status"] for e in entries} == {"ok"}
    assert {e["input"] for e in entries} == {str(p) for p in src.rglob("*.txt")}
    written = {str(p.relative_to(out)) for p in out.rglob("*.json") if p.name != "summary.json" and not p.name.startswith(".")}
    assert written == {e["output"] for e in entries}
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for e in entries[:: total // 20]:
        load_valid_json(out / e["output"])
    start = time.monotonic()
    again = vnocr(*args)
    assert again.returncode == 0 and f"0 ok, 0 failed, {total} skipped" in again.stderr, again.stderr
    assert time.monotonic() - start < 30


def test_outputs_are_readable_as_the_umask_allows(tmp_path: Path) -> None:
    """Atomic writes go through a private temporary file; what lands is as readable as the process's
    umask lets any new file be (not private to the user who ran vnocr)."""
    from pipeline import outputs

    outputs.atomic_write_bytes(tmp_path / "a.json", b"{}")
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o666 & ~outputs._UMASK


# --------------------------------------------------------------------------- inputs changing under the run


def text_pdf(path: Path, pages: int = 1, words: str = "Thong bao so {n}", size: tuple = (300, 120)) -> None:
    """A born-digital PDF (vector text drawn by reportlab, no image): read from its text layer, or rendered by
    poppler and OCR'd with `--ocr always`."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=size)
    for n in range(1, pages + 1):
        if words:
            canvas.setFont("Helvetica", 14)
            canvas.drawString(20, size[1] / 2, words.format(n=n))
        canvas.showPage()
    canvas.save()


def on_the_pdf(command: str, when: str = "") -> str:
    """The body of a fake `pdftoppm` that runs `command "$f"` on the PDF it is given (only when its arguments
    contain `when`), then the real pdftoppm on what is left."""
    act = f'for f; do case "$f" in *.pdf) {command} "$f";; esac; done'
    if when:
        act = f'case " $* " in *" {when} "*) {act};; esac'
    return f'{act}\nexec {REAL["pdftoppm"]} "$@"'


CHANGED = "the PDF changed while it was being read"


@pytest.mark.parametrize(
    ("pages", "body", "reason"),
    [
        (1, on_the_pdf("truncate -s 300"), CHANGED),
        (1, on_the_pdf("rm -f"), "the PDF was deleted or moved while it was being read"),
        (3, on_the_pdf("truncate -s 300", when="-f 2"), CHANGED),
    ],
    ids=["truncated", "deleted", "truncated-between-pages"],
)
def test_input_pdf_changed_while_read(tmp_path: Path, pages: int, body: str, reason: str) -> None:
    """The PDF truncated or deleted while poppler renders it for OCR (a `pdftoppm` that does so, then runs the real one; the
    third truncates it after page 1 was read): that PDF fails with one line naming it and why, nothing of it is
    left (not even page 1's image), the rest is done, and once the PDF is back the next run does it once."""
    src, out = tmp_path / "in", tmp_path / "out"
    scan_and_note(src)
    text_pdf(src / "book.pdf", pages)
    original = (src / "book.pdf").read_bytes()
    result = vnocr("process", str(src), "-o", str(out), "-j", "1", "--dpi", "100", "--ocr", "always",
                   env=fake_tool(tmp_path, "pdftoppm", body))
    one_line_failures(result)
    assert result.returncode == 1 and "2 ok, 1 failed, 0 skipped" in result.stderr, result.stderr
    entries = check_outputs(out)
    error = entries["book.pdf"]["error"]
    assert error.startswith(reason) and f"failed: {src / 'book.pdf'}: {error}\n" in result.stderr, result.stderr
    assert not list(out.glob("book*")), "partial output of the changed PDF"
    (src / "book.pdf").write_bytes(original)
    resumes(src, out, 2, 3, "--dpi", "100", "--ocr", "always")
    assert len(list((out / "book.pages").iterdir())) == pages


@pytest.mark.slow
def test_two_thousand_page_pdf_stopped_and_resumed(tmp_path: Path) -> None:
    """A 2,000-page PDF (tiny born-digital pages, one word and a number each, spread over both workers): SIGTERM
    part-way stops the run cleanly with nothing of it written; the next run skips what was done and reads the PDF
    whole: 2,000 pages, in order, each with its number, in a document that validates; the batch stays small and
    the whole process tree (workers, Tesseract, poppler) bounded."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    total = 2000
    text_pdf(src / "big.pdf", total, words="so {n}", size=(72, 36))
    (src / "note.txt").write_text("Số: 7/TB-UBND\n", "utf-8")
    args = ("process", str(src), "-o", str(out), "-j", "2", "--pages-per-task", "100", "--dpi", "72",
            "--preprocess", "none", "--no-repair", "--no-page-images", "-q")
    stop_once_recording(start_vnocr(*args), out, then=3)  # 3 s: pages of the PDF are being read
    assert list(check_outputs(out, stopped=True)) == ["note.txt"]
    assert not (out / "big.json").exists()

    proc = start_vnocr(*args)
    batch, batch_rss, tree_rss = psutil.Process(proc.pid), 0, 0
    while proc.poll() is None:
        try:
            rss = batch.memory_info().rss
            tree = rss + sum(child.memory_info().rss for child in batch.children(recursive=True))
        except psutil.Error:  # a process ended while we looked
            continue
        batch_rss, tree_rss = max(batch_rss, rss), max(tree_rss, tree)
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    one_line_failures(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    assert proc.returncode == 0 and "1 ok, 0 failed, 1 skipped" in stderr, stderr
    assert batch_rss < 200 * 2**20, f"the batch process grew to {batch_rss / 2**20:.0f} MB"
    assert tree_rss < 1024 * 2**20, f"the batch and its workers grew to {tree_rss / 2**20:.0f} MB"
    entries = check_outputs(out)
    assert len(entries) == 2 and entries["big.pdf"]["status"] == "ok" and entries["big.pdf"]["pages"] == total
    doc = load_valid_json(out / "big.json")
    assert [page["number"] for page in doc["pages"]] == list(range(1, total + 1))
    unread = [page["number"] for page in doc["pages"]
              if str(page["number"]) not in {w["text"] for line in page["lines"] for w in line["words"]}]
    assert not unread, f"pages without their number: {unread[:10]}"
