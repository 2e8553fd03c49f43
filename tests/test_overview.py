"""The archive's figures, the Overview's API and OUT/report.html (the page in a browser: test_review_browser.py).

The archive is the review tests' one (a rendered page and a text input through the real flow, words
flagged as repair would leave them), with a manifest and a run summary as `vnocr process` writes them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipeline.batch.runner import run
from pipeline.outputs import read_document, write_document
from pipeline.review import figures, overview, report, serve
from pipeline.review.app import create_app
from pipeline.settings import Settings

from .test_review_api import IMAGE_DOC, TEXT_DOC, TOKEN, archive_template, correct, queue_item  # noqa: F401

FAILED = [
    {"input": "/in/a.pdf", "output": None, "status": "error", "pages": 0, "seconds": 0.1,
     "error": "stopped on page 3: no progress within 120 s (--page-timeout); the file may be damaged or far too complex"},
    {"input": "/in/b.pdf", "output": None, "status": "error", "pages": 0, "seconds": 0.1,
     "error": "stopped on page 17: no progress within 120 s (--page-timeout); the file may be damaged or far too complex"},
    {"input": "/in/c.pdf", "output": None, "status": "error", "pages": 0, "seconds": 0.0, "error": "the file is empty"},
]


@pytest.fixture
def out(archive_template, tmp_path) -> Path:
    out = Path(shutil.copytree(archive_template, tmp_path / "out"))
    lines = [{"input": f"/in/{d}", "output": f"{d}.json", "status": "ok", "error": None, "pages": 1, "seconds": 1.0}
             for d in (IMAGE_DOC, TEXT_DOC)]
    lines.insert(1, {**FAILED[2], "error": "an earlier failure, retried since"})  # the last line of an input wins
    (out / "manifest.jsonl").write_text("".join(json.dumps(x) + "\n" for x in [*lines, *FAILED]), "utf-8")
    (out / "summary.json").write_text(json.dumps({"pages": 4, "seconds": 60.0, "pages_per_minute": 4.0, "ok": 2,
                                                  "failed": 3, "skipped": 0, "jobs": 2, "finished": "2026-01-02"}))
    return out


@pytest.fixture
def client(out) -> TestClient:
    return TestClient(create_app(out, token=TOKEN))


def section(data: dict, sid: str) -> dict:
    return next(s for s in data["sections"] if s["id"] == sid)


def stats(data: dict, sid: str) -> dict[str, str]:
    return {i["label"]: i["value"] for b in section(data, sid)["blocks"] if b["type"] == "stats" for i in b["items"]}


def chart(data: dict, cid: str) -> dict:
    return next(b for s in data["sections"] for b in s["blocks"] if b.get("id") == cid)


def table_rows(block: dict) -> list[list[str]]:
    table = block["table"] if block["type"] == "chart" else block
    return [[c["text"] for c in row] for row in table["rows"]]


# --- the figures


def test_figures_of_a_document(out) -> None:
    found = figures.rescan(out, None)
    assert set(found.documents) == {IMAGE_DOC, TEXT_DOC}
    image, text = found.documents[IMAGE_DOC], found.documents[TEXT_DOC]
    assert (image.words, image.flagged, image.pages, image.doc_type, image.date_iso) == (
        len(read_document(out / f"{IMAGE_DOC}.json").words()), 4, 1, "BÁO CÁO", "2025-03-14")
    assert "PHƯỜNG AN BÌNH" in image.issuer
    assert sum(image.conf) == image.words and image.conf[3] == 2  # the two «Pang», at 0.31 and 0.33
    assert set(image.timings) == {"raster", "preprocess", "ocr", "repair", "structure"} and image.timed_pages == 1
    assert image.page_kinds == {"grey": 1} and image.dpi == {"300-399": 1}
    assert text.page_kinds == {"text": 1} and text.dpi == {} and text.timed_pages == 0 and text.flagged == 3


def test_page_kinds_from_the_page_analysis_and_the_text_layer() -> None:
    page = {"number": 2, "lines": [], "preprocess": {"kind": "colour", "resolution": {"dpi": 72}, "scale": 3.4},
            "seals": [{"bbox": [1, 2, 3, 4], "colour": "red"}],
            "text_layer": {"kind": "born-digital", "encoding": "TCVN3", "source": "text-layer"}}
    data = {"source": {"kind": "pdf", "name": "x.pdf"}, "pages": [page, {"number": 1, "lines": []}],
            "structure": {"e_signatures": [{"page": 2}]}}
    found = figures.doc_figures("x", data, [0, 0])
    assert found.page_kinds == {"colour": 1} and found.dpi == {"< 100": 1}
    assert found.text_layers == {"born-digital": 1}
    assert found.marks == {"low resolution": 1, "legacy-encoded (tcvn3)": 1, "sealed": 1, "e-signed": 1}
    assert found.timings == {} and found.timed_pages == 0  # written before stage timings were recorded


def test_failures_are_grouped_by_reason_with_their_manifest_lines(out) -> None:
    run_ = figures.run_figures(out)
    assert (run_.inputs, run_.ok, run_.failed) == (5, 2, 3)
    stopped = "stopped on page N: no progress within N s (--page-timeout); the file may be damaged or far too complex"
    assert run_.reasons == {stopped: 2, "the file is empty": 1}
    assert [(f.input, f.line) for f in run_.failures] == [("/in/a.pdf", 4), ("/in/b.pdf", 5), ("/in/c.pdf", 6)]
    lines = (out / "manifest.jsonl").read_text("utf-8").splitlines()
    assert all(lines[f.line - 1] == f.raw for f in run_.failures)
    assert figures.reason_of("cannot write out/sub/a.json: No space left on device") == \
        "cannot write FILE: No space left on device"


def test_the_audit_log_is_counted_per_day_and_clerk_once(out) -> None:
    records = [
        {"who": "Lan", "when": "2026-03-01T08:00:00+00:00", "action": "correct", "before": "Pang", "after": "Đảng"},
        {"who": "Lan", "when": "2026-03-01T09:00:00+00:00", "action": "confirm", "before": "xa", "after": "xa"},
        {"who": "Minh", "when": "2026-03-02T09:00:00+00:00", "action": "correct", "before": "", "after": "125",
         "field": "number"},
        {"who": "Minh", "when": "2026-03-02T09:01:00+00:00", "action": "undo", "before": "125", "after": ""},
        {"who": "Minh", "when": "2026-03-02T10:00:00+00:00", "action": "batch", "before": "Pang,", "after": "Đảng,"},
    ]
    path = out / "audit.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[:3]) + '{"who": "ha', "utf-8")
    log = figures.ReviewLog()
    log.read(path)
    assert log.days == {"2026-03-01": {"corrected": 1, "confirmed": 1}, "2026-03-02": {"corrected": 1, "fields": 1}}
    with open(path, "w", encoding="utf-8") as fh:  # the torn line finished, more appended
        fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    log2 = figures.ReviewLog()
    log2.read(path)
    log2.read(path)  # nothing new: nothing counted twice
    assert log2.clerks == {"Lan": {"corrected": 1, "confirmed": 1}, "Minh": {"corrected": 2, "fields": 1, "undone": 1}}


def test_refresh_reads_only_what_changed(out) -> None:
    first = figures.refresh(out)
    assert figures.read(out) == first
    doc = read_document(out / f"{TEXT_DOC}.json")
    for w in doc.words():
        w.flag = False
    write_document(doc, out / f"{TEXT_DOC}.json")
    (out / f"{IMAGE_DOC}.json").rename(out / "renamed.json")
    second = figures.refresh(out)
    assert second.documents[TEXT_DOC].flagged == 0 and second.documents[TEXT_DOC].key != first.documents[TEXT_DOC].key
    assert set(second.documents) == {TEXT_DOC, "renamed"}
    assert second.documents["renamed"] == figures.DocFigures(**{**figures.asdict(first.documents[IMAGE_DOC]),
                                                                  "id": "renamed"})
    (out / figures.FILE).write_text("{not json", "utf-8")  # a damaged figures file is made again
    assert figures.refresh(out).documents == second.documents


# --- the Overview in the app


def test_the_overview_answers_with_every_section(client) -> None:
    data = client.get("/api/overview").json()
    assert [s["id"] for s in data["sections"]] == ["totals", "time", "failures", "confidence", "review", "found", "pages"]
    totals = stats(data, "totals")
    assert (totals["Files"], totals["Read"], totals["Failed"], totals["Documents"]) == ("5", "2", "3", "2")
    assert totals["Pages per minute"] == "4.0" and totals["Against bare Tesseract"] == "not measured"
    assert [r[0] for r in table_rows(chart(data, "chart-stages"))] == list(overview.STAGE_NAMES.values())
    failures = section(data, "failures")["blocks"]
    assert [(r[0], r[1]) for r in table_rows(chart(data, "chart-failures"))][0][1] == "2"
    listed = failures[1]["rows"]
    assert [(r[1]["text"], r[3]["href"]) for r in listed] == [
        ("/in/a.pdf", "#manifest-4"), ("/in/b.pdf", "#manifest-5"), ("/in/c.pdf", "#manifest-6")]
    assert [r[0]["anchor"] for r in failures[2]["rows"]] == ["manifest-4", "manifest-5", "manifest-6"]
    flagged = chart(data, "chart-flagged")["table"]["rows"]
    assert [(r[0]["text"], r[0]["href"]) for r in flagged] == [
        (TEXT_DOC, "/queue?doc=cu%2Focr-cu"), (IMAGE_DOC, f"/queue?doc={IMAGE_DOC}")]
    types = {r[0]["text"]: r[0]["href"] for r in chart(data, "chart-types")["table"]["rows"]}
    assert types == {"BÁO CÁO": "/documents?type=B%C3%81O+C%C3%81O", "(no type found)": "/documents?type="}
    assert [r[0]["href"] for r in chart(data, "chart-dates")["table"]["rows"]] == ["/documents?date=2025-03"]
    assert stats(data, "review")["Words left"] == "7"
    # the shapes link where the table does, and carry no style or script
    bars = [s for s in chart(data, "chart-types")["shapes"] if s["tag"] == "rect"]
    assert sorted(s["href"] for s in bars) == sorted(types.values())
    assert not {k for b in bars for k in b["attrs"]} - {"x", "y", "width", "height", "class"}


def test_a_saved_correction_moves_the_figures(client, out) -> None:
    client.get("/api/overview")
    assert (out / figures.FILE).exists()
    res = correct(client, queue_item(client, IMAGE_DOC, "Pang"), "Đảng", who="Hoa")
    assert res.status_code == 200
    data = client.get("/api/overview").json()
    assert stats(data, "review")["Words left"] == "6" and stats(data, "review")["Words corrected"] == "1"
    assert table_rows(chart(data, "chart-review-clerks")) == [["Hoa", "1", "1", "0", "0", "0"]]
    # the file holds it too: a report written now, or another server, sees it
    assert figures.read(out).documents[IMAGE_DOC].flagged == 3 and figures.read(out).review.clerks == {"Hoa": {"corrected": 1}}


def test_a_run_rewriting_the_figures_is_seen_by_a_running_app(client, out) -> None:
    assert stats(client.get("/api/overview").json(), "totals")["Documents"] == "2"
    shutil.copy(out / f"{TEXT_DOC}.json", out / "copy.json")
    figures.refresh(out)
    assert stats(client.get("/api/overview").json(), "totals")["Documents"] == "3"


# --- OUT/report.html


def test_every_process_run_writes_the_report(tmp_path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "cv.txt").write_text("ỦY BAN NHÂN DÂN\nXÃ AN PHÚ\nSố: 12/QĐ-UBND\nQUYẾT ĐỊNH\nĐiều 1. Phê duyệt kế hoạch\n", "utf-8")
    (src / "<b>empty<i>.pdf").write_bytes(b"")
    summary = run([src], out, Settings(repair=False), jobs=1)
    assert (summary.ok, summary.failed) == (1, 1)
    page = (out / "report.html").read_text("utf-8")
    assert "<script" not in page and "http-equiv" not in page
    assert "&lt;b&gt;empty&lt;i&gt;.pdf" in page and "<b>empty" not in page
    line = next(n for n, raw in enumerate((out / "manifest.jsonl").read_text("utf-8").splitlines(), 1) if "empty" in raw)
    assert f'href="#manifest-{line}"' in page and f'<tr id="manifest-{line}">' in page
    assert re.search(r'<a href="http://127\.0\.0\.1:8765/documents\?type=QUY%E1%BA%BET\+%C4%90%E1%BB%8ANH">', page)
    assert page.count("<svg") >= 5 and page.count("<table") >= 5
    assert not re.search(r'(?:src|href)="(?!#|http://127\.0\.0\.1:8765/)', page)  # nothing else to load or follow


def test_the_report_names_the_review_apps_address() -> None:
    assert report.REVIEW_APP == f"http://{serve.DEFAULT_HOST}:{serve.DEFAULT_PORT}"
