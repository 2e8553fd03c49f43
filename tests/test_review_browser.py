"""The review pages in a real browser (Playwright driving Debian's chromium) against uvicorn on 127.0.0.1.

Set VNOCR_SCREENSHOTS to a folder to keep screenshots of the Overview, the word queue, the page
view and the batch fix (`make screenshots` writes them to out/screenshots).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from pipeline.layout import fillins
from pipeline.layout.structure import structure_document
from pipeline.outputs import read_document, write_document
from pipeline.review.app import LOOPBACK_HOSTS, create_app

from .conftest import load_valid_json
from .test_review_api import IMAGE_DOC, INJECTION, TEXT_DOC, archive_template, audit  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


class Server:
    """The review app served by uvicorn in a background thread on a free port of 127.0.0.1;
    `failed` lists every answer with a status of 400 or more (`404 /favicon.ico`), whoever asked."""

    def __init__(self, out: Path) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.failed: list[str] = []
        app = create_app(out, allowed_hosts=LOOPBACK_HOSTS)

        async def recorded(scope, receive, send) -> None:
            async def record(message) -> None:
                if message["type"] == "http.response.start" and message["status"] >= 400:
                    self.failed.append(f"{message['status']} {scope['path']}")
                await send(message)

            await app(scope, receive, record)

        config = uvicorn.Config(recorded, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (make test installs the chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def out(archive_template, tmp_path) -> Path:
    return Path(shutil.copytree(archive_template, tmp_path / "out"))


@pytest.fixture
def server(out) -> Iterator[Server]:
    with Server(out) as s:
        yield s


def open_page(browser, server: Server, path: str, clerk: str | None = "Lan"):
    """A new browser context (its own localStorage: one clerk), on `path`."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="vi-VN")
    if clerk:
        context.add_init_script(f"localStorage.setItem('vnocr.clerk', {json.dumps(clerk)})")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = []  # asserted where a session makes no failed request on purpose (a 409 logs one)
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}") or d.dismiss())
    page.errors = errors
    page.goto(server.url + path)
    return page


def screenshot(page, name: str) -> None:
    folder = os.environ.get("VNOCR_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def word_of(out: Path, doc: str, word_id: str):
    return read_document(out / f"{doc}.json").word(word_id)


def test_documents_list(browser, server) -> None:
    page = open_page(browser, server, "/documents", clerk=None)
    # the clerk's name is asked once per browser
    page.fill("#clerk-input", "Lan")
    page.press("#clerk-input", "Enter")
    page.wait_for_selector("#clerk-dialog", state="detached")
    assert page.text_content("#clerk-name") == "Lan"
    rows = page.locator("#docs tbody tr")
    assert rows.count() == 2
    image_row = page.locator(f'tr[data-doc="{IMAGE_DOC}"]')
    for text in ["bao-cao-phuong.png", "BÁO CÁO", "125/BC-UBND", "14/03/2025", "PHƯỜNG AN BÌNH"]:
        assert text in image_row.inner_text()
    assert "ocr-cu.txt" in page.locator(f'tr[data-doc="{TEXT_DOC}"]').inner_text()
    assert page.text_content("#words-left") == "7"
    screenshot(page, "documents")
    # sort by words left, descending on the second click
    page.click('button.sort[data-key="flagged"]')
    page.click('button.sort[data-key="flagged"]')
    assert rows.first.get_attribute("data-doc") == IMAGE_DOC
    page.fill("#filter", "125/BC")
    assert rows.count() == 1 and rows.first.get_attribute("data-doc") == IMAGE_DOC
    page.fill("#filter", "")
    # the name is remembered
    page.reload()
    page.wait_for_selector("#docs tbody tr")
    assert page.locator("#clerk-dialog").count() == 0 and page.text_content("#clerk-name") == "Lan"
    page.click(f'tr[data-doc="{IMAGE_DOC}"] a:text("Review")')
    page.wait_for_url(re.compile(r"/queue\?doc="))
    assert not page.errors


def test_a_normal_session_fails_no_request(browser, server) -> None:
    """Overview, documents list, queue, page view, search: no answer of 400 or more (the favicon included), no console
    error."""
    page = open_page(browser, server, "/")
    page.wait_for_selector("#chart-types svg rect")
    page.goto(f"{server.url}/documents")
    page.wait_for_selector("#docs tbody tr")
    page.click(f'tr[data-doc="{IMAGE_DOC}"] a:text("Review")')
    page.wait_for_function("() => document.querySelector('#crop-img') && document.querySelector('#crop-img').naturalWidth > 0")
    page.goto(f"{server.url}/page?doc={IMAGE_DOC}")
    page.wait_for_selector(".sheet img.scan")
    page.wait_for_function("() => document.querySelector('.sheet img.scan').naturalWidth > 0")
    page.goto(f"{server.url}/search")
    page.wait_for_selector("#q")
    page.fill("#q", "chuyen doi so")
    page.press("#q", "Enter")
    page.wait_for_selector("li.hit")
    page.goto(f"{server.url}/documents")
    page.wait_for_selector("#docs tbody tr")
    page.wait_for_load_state("networkidle")
    assert server.failed == [] and page.console_errors == [] and page.errors == []


def test_clear_a_queue_with_the_keyboard(browser, server, out) -> None:
    page = open_page(browser, server, f"/queue?doc={IMAGE_DOC}")
    answer = page.locator("#answer")
    page.wait_for_selector("#crop-img")
    page.wait_for_function("() => document.querySelector('#crop-img').complete && document.querySelector('#crop-img').naturalWidth > 0")
    assert answer.input_value() == "Pang" and page.locator("#card mark").inner_text() == "Pang"
    assert "4 words left" in page.text_content("#progress")
    screenshot(page, "word-queue")
    ids = [it["word"]["id"] for it in page.evaluate("fetch('/api/queue?doc=" + IMAGE_DOC + "').then(r => r.json())")["items"]]
    pang1, chuyen, pang2, trong = ids

    def wait_for(text: str) -> None:
        page.wait_for_function(f"() => document.querySelector('#answer').value === {json.dumps(text)} || !document.querySelector('#done').hidden")

    answer.press("1")  # alternative 1: Đảng
    wait_for("chuyển")
    answer.press("Enter")  # accept the suggestion
    wait_for("Pang")
    answer.press("Tab")  # skip this one for now
    wait_for("trong")
    answer.press("Backspace")
    page.keyboard.type("trọng")  # what the input method commits
    answer.press("Enter")
    wait_for("Pang")  # back to the skipped word
    assert "1 word left" in page.text_content("#progress")
    answer.press("1")
    page.wait_for_selector("#done:not([hidden])")
    page.keyboard.press("Control+z")  # undo: the word is back in the queue
    wait_for("Pang")
    page.wait_for_function("() => document.querySelector('#status').textContent.startsWith('Undone')")
    assert word_of(out, IMAGE_DOC, pang2).flag
    answer.press("2")  # Đang this time
    page.wait_for_selector("#done:not([hidden])")
    assert "0 words left" in page.text_content("#progress")

    data = load_valid_json(out / f"{IMAGE_DOC}.json")
    words = {w["id"]: w for p in data["pages"] for ln in p["lines"] for w in ln["words"]}
    assert [(words[i]["text"], words[i]["flag"], words[i]["source"], words[i]["who"]) for i in ids] == [
        ("Đảng", False, "clerk", "Lan"), ("chuyển", False, "clerk", "Lan"), ("Đang", False, "clerk", "Lan"),
        ("trọng", False, "clerk", "Lan")]
    assert [h["text"] for h in words[pang2]["history"]] == ["Pang", "Đảng", "Pang"]
    assert data["version"] == 7
    text = (out / f"{IMAGE_DOC}.txt").read_text("utf-8")
    assert "Đảng ủy phường lanh đạo công tác chuyển đổi số." in text and "bộ Đang triển khai" in text
    assert "Nhiệm vụ trọng tâm là cải cách hành chính." in text
    assert [(a["word"], a["before"], a["after"], a["action"], a["who"]) for a in audit(out)] == [
        (pang1, "Pang", "Đảng", "correct", "Lan"), (chuyen, "chuyển", "chuyển", "confirm", "Lan"),
        (trong, "trong", "trọng", "correct", "Lan"), (pang2, "Pang", "Đảng", "correct", "Lan"),
        (pang2, "Đảng", "Pang", "undo", "Lan"), (pang2, "Pang", "Đang", "correct", "Lan")]
    # learned: the clean lines (the first one waits for «lanh», low confidence and not checked yet)
    learned = (out / "corrections" / f"{IMAGE_DOC}.txt").read_text("utf-8").splitlines()
    assert learned == ["Chi bộ Đang triển khai kế hoạch của Ủy ban nhân dân.", "Nhiệm vụ trọng tâm là cải cách hành chính."]
    assert not page.errors


def test_edit_any_word_in_the_page_view(browser, server, out) -> None:
    page = open_page(browser, server, f"/page?doc={IMAGE_DOC}")
    page.wait_for_selector(".sheet img.scan")
    page.wait_for_function("() => document.querySelector('.sheet img.scan').naturalWidth > 0")
    doc = read_document(out / f"{IMAGE_DOC}.json")
    lanh = next(w for w in doc.words() if w.text == "lanh")
    assert not lanh.flag and lanh.conf < 0.6
    box = page.locator(f'.wbox[data-word="{lanh.id}"]')
    assert "low" in box.get_attribute("class") and box.inner_text() == "lanh"
    assert page.locator(".wbox.flagged").count() == 4
    box.click()
    page.wait_for_selector("#edit-input")
    page.wait_for_function("() => [...document.querySelectorAll('#editor img')].every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, "page-view")
    page.fill("#edit-input", "lãnh")
    page.press("#edit-input", "Enter")
    page.wait_for_function(f"() => document.querySelector('.wbox[data-word=\"{lanh.id}\"]').textContent === 'lãnh'")
    assert "clerk" in box.get_attribute("class")
    saved = word_of(out, IMAGE_DOC, lanh.id)
    assert (saved.text, saved.source, saved.who, saved.history[-1].text) == ("lãnh", "clerk", "Lan", "lanh")
    assert "Pang ủy phường lãnh đạo" in (out / f"{IMAGE_DOC}.txt").read_text("utf-8")
    assert audit(out)[-1]["after"] == "lãnh"
    # a text input: the lines without an image; OCR text that looks like markup stays text
    page.goto(f"{server.url}/page?doc={TEXT_DOC}")
    page.wait_for_selector(".textpage .wbox")
    assert page.locator(".sheet img").count() == 0
    injected = page.locator(".wbox", has_text="<svg/onload")
    assert injected.inner_text() == INJECTION and page.locator(".textpage svg, .textpage script").count() == 0
    injected.click()
    assert page.locator("#editor .alt").first.inner_text() == "<b>bold</b>" and page.locator("#editor b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert not page.errors


def test_overlay_text_fits_its_boxes(browser, out) -> None:
    """A word box gone wrong (four times too tall: a seal stroke taken in; or half as wide as its word) neither
    enlarges its line's text nor lets any text run past its box."""
    path = out / f"{IMAGE_DOC}.json"
    doc = read_document(path)
    line = next(ln for p in doc.pages for ln in p.lines if len(ln.words) >= 4)
    tall, narrow = line.words[1], line.words[2]
    x0, y0, x1, y1 = tall.bbox
    tall.bbox = (x0, max(0, y0 - 3 * (y1 - y0)), x1, y1)
    x0, y0, x1, y1 = narrow.bbox
    narrow.bbox = (x0, y0, x0 + (x1 - x0) // 2, y1)
    line.bbox = (min(w.bbox[0] for w in line.words), min(w.bbox[1] for w in line.words),
                 max(w.bbox[2] for w in line.words), max(w.bbox[3] for w in line.words))
    write_document(doc, path)
    with Server(out) as server:
        page = open_page(browser, server, f"/page?doc={IMAGE_DOC}")
        page.wait_for_selector(".sheet .wbox")
        sizes = page.evaluate("""() => [...document.querySelectorAll('.sheet .wbox')].map((box) => {
            const text = document.createRange();
            text.selectNodeContents(box);
            return { id: box.dataset.word, box: box.getBoundingClientRect().width, text: text.getBoundingClientRect().width,
                     font: parseFloat(getComputedStyle(box).fontSize) };
        })""")
        screenshot(page, "page-view-wrong-boxes")
        assert not page.errors
    assert len(sizes) == len(doc.words())
    too_wide = [s for s in sizes if s["text"] > s["box"] * 1.05]
    assert not too_wide, too_wide
    font = {s["id"]: s["font"] for s in sizes}
    assert font[tall.id] == font[line.words[0].id] == font[narrow.id]  # the line keeps one size, set by its letters


def test_batch_fix(browser, server, out) -> None:
    page = open_page(browser, server, "/batch")
    page.fill("#find", "Pang")
    page.fill("#replace", "Đảng")
    page.click("#preview")
    page.wait_for_selector("#occurrences li")
    occurrences = page.locator("#occurrences li")
    assert occurrences.count() == 3
    assert [occurrences.nth(i).locator("ins").inner_text() for i in range(3)] == ["Đảng", "Đảng", "Đảng,"]
    assert occurrences.nth(0).locator("img").count() == 1 and occurrences.nth(2).locator("img").count() == 0
    page.wait_for_function("() => [...document.querySelectorAll('#occurrences img')].every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, "batch-fix")
    assert page.inner_text("#apply") == "Correct 3 occurrences"
    page.click("#apply")
    page.wait_for_selector("#batch-result")
    assert "Corrected 3 words in 2 documents" in page.inner_text("#batch-result")
    assert page.locator("#occurrences li.applied").count() == 3
    a, b = read_document(out / f"{IMAGE_DOC}.json"), read_document(out / f"{TEXT_DOC}.json")
    assert [w.text for w in a.words() if w.ocr == "Pang"] == ["Đảng", "Đảng"] and a.version == 2
    assert [w.text for w in b.words() if w.ocr == "Pang,"] == ["Đảng,"] and b.version == 2
    assert all(not w.flag and w.source == "clerk" for w in a.words() + b.words() if w.ocr.startswith("Pang"))
    assert "Đảng ủy phường" in (out / f"{IMAGE_DOC}.txt").read_text("utf-8")
    assert "Đảng, chinh quyen" in (out / f"{TEXT_DOC}.txt").read_text("utf-8")
    assert [(e["doc"], e["after"], e["action"]) for e in audit(out)] == [
        (IMAGE_DOC, "Đảng", "batch"), (IMAGE_DOC, "Đảng", "batch"), (TEXT_DOC, "Đảng,", "batch")]
    assert not page.errors


def test_two_clerks_on_one_document(browser, server, out) -> None:
    lan = open_page(browser, server, f"/queue?doc={IMAGE_DOC}", clerk="Lan")
    minh = open_page(browser, server, f"/queue?doc={IMAGE_DOC}", clerk="Minh")
    for page in (lan, minh):
        page.wait_for_function("() => document.querySelector('#answer').value === 'Pang'")
    first = lan.evaluate(f"fetch('/api/queue?doc={IMAGE_DOC}').then(r => r.json())")["items"][0]["word"]["id"]
    lan.locator("#answer").press("1")  # Lan: Đảng
    lan.wait_for_function("() => document.querySelector('#answer').value === 'chuyển'")
    minh.locator("#answer").press("Backspace")
    minh.keyboard.type("Đang")
    minh.locator("#answer").press("Enter")  # Minh, on the version before Lan's save: the same word
    minh.wait_for_selector("#conflict:not([hidden])")
    assert "Lan" in minh.inner_text("#conflict") and "«Đảng»" in minh.inner_text("#conflict")
    screenshot(minh, "conflict")
    assert word_of(out, IMAGE_DOC, first).text == "Đảng" and word_of(out, IMAGE_DOC, first).who == "Lan"
    minh.click("#keep-theirs")
    minh.wait_for_function("() => document.querySelector('#answer').value === 'chuyển'")
    minh.locator("#answer").press("Tab")  # Minh takes the second Pang while Lan does chuyển
    minh.wait_for_function("() => document.querySelector('#answer').value === 'Pang'")
    lan.locator("#answer").press("Enter")
    lan.wait_for_function("() => document.querySelector('#answer').value === 'Pang'")
    minh.locator("#answer").press("1")  # a different word of the same document: merged
    minh.wait_for_function("() => document.querySelector('#status').textContent.includes('merged')")
    doc = read_document(out / f"{IMAGE_DOC}.json")
    assert [(w.text, w.who) for w in doc.words() if w.source == "clerk"] == [("Đảng", "Lan"), ("chuyển", "Lan"), ("Đảng", "Minh")]
    assert doc.version == 4 and len(audit(out)) == 3
    # Lan now reaches the word Minh saved: her save is refused, she sees why
    lan.locator("#answer").press("2")
    lan.wait_for_selector("#conflict:not([hidden])")
    assert "Minh" in lan.inner_text("#conflict")
    lan.click("#use-mine")  # she overrides knowingly
    lan.wait_for_function("() => document.querySelector('#status').textContent.startsWith('Saved «Đang»')")
    second = [w for w in read_document(out / f"{IMAGE_DOC}.json").words() if w.ocr == "Pang"][1]
    assert (second.text, second.who, [h.who for h in second.history]) == ("Đang", "Lan", [None, "Minh"])
    assert not lan.errors and not minh.errors


def test_a_handwritten_number_in_the_queue(browser, archive_template, tmp_path) -> None:
    """The header's number, written by hand and read as garbage, comes first in the queue as a field
    item: the crop of the blank, the field it makes; the clerk types it and the number is set, audited."""
    out = Path(shutil.copytree(archive_template, tmp_path / "out"))
    path = out / f"{IMAGE_DOC}.json"
    doc = read_document(path)
    page = doc.pages[0]
    number = next(w for w in doc.words() if w.text == "125/BC-UBND")
    number.text = number.ocr = "@#/BC-UBND"  # what Tesseract makes of a handwritten 125
    (slot,) = fillins.slots(page.lines, page.height)
    word = fillins.fill(slot, "", 0.0)
    write_document(structure_document(doc), path)
    data = load_valid_json(path)
    assert (data["structure"]["number"]["text"], data["structure"]["number"]["sequence"]) == ("/BC-UBND", "")  # blank
    assert [(f["field"], f["value"], f["read"], f["flag"]) for f in data["structure"]["fill_ins"]] == [("number", None, "@#", True)]

    with Server(out) as server:
        view = open_page(browser, server, f"/queue?doc={IMAGE_DOC}")
        view.wait_for_selector("#field-info:not([hidden])")
        assert "Handwritten number" in view.text_content("#field-info")
        assert "now: /BC-UBND" in view.text_content("#field-info")  # the printed symbol, its sequence blank
        view.wait_for_function("() => document.querySelector('#crop-img').complete && document.querySelector('#crop-img').naturalWidth > 0")
        screenshot(view, "queue-handwritten-number")
        answer = view.locator("#answer")
        assert answer.input_value() == ""
        view.keyboard.type("125")
        answer.press("Enter")
        view.wait_for_function("() => document.querySelector('#answer').value === 'Pang'")
        assert view.locator("#field-info").is_hidden()
        assert not view.errors

    data = load_valid_json(path)
    assert data["structure"]["number"]["text"] == "125/BC-UBND"
    (field,) = data["structure"]["fill_ins"]
    assert (field["value"], field["source"], field["flag"]) == ("125", "clerk", False)
    assert [(a["word"], a["before"], a["after"], a["who"]) for a in audit(out)] == [(word.id, "", "125", "Lan")]


def test_the_overview(browser, server, out) -> None:
    """The first page: its charts drawn, their links filtering the documents list and opening a queue; a correction
    saved in that queue moves the review figures."""
    page = open_page(browser, server, "/")
    page.wait_for_selector("#chart-types svg rect")
    charts = ["chart-stages", "chart-confidence", "chart-flagged", "chart-types", "chart-issuers", "chart-dates",
              "chart-kinds", "chart-dpi", "chart-marks"]
    for chart in charts:  # drawn: shapes with a size, a title, and the table behind
        box = page.locator(f"#{chart} svg").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, chart
        assert page.locator(f"#{chart} svg rect.bar").count() >= 1, chart
        assert page.locator(f"#{chart} svg > title").text_content(), chart
        assert page.locator(f"#{chart} details table tbody tr").count() >= 1, chart
    widths = page.evaluate("[...document.querySelectorAll('#chart-flagged svg rect.bar')].map(r => r.getBBox().width)")
    assert len(widths) == 2 and widths[0] > widths[1] > 0  # sorted: the larger share first
    assert page.locator(".ov-stat", has_text="Words left").locator("dd").first.inner_text() == "7"
    screenshot(page, "overview")
    # a type's bar lists the documents of that type
    page.click('#chart-types svg a[href="/documents?type=B%C3%81O+C%C3%81O"] rect')
    page.wait_for_selector("#docs tbody tr")
    assert page.url.endswith("/documents?type=B%C3%81O+C%C3%81O")
    rows = page.locator("#docs tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-doc") == IMAGE_DOC
    assert "type is «BÁO CÁO»" in page.inner_text("#linked-filter")
    page.go_back()
    page.click('#chart-types svg a[href="/documents?type="] rect')  # no type found: the text input
    page.wait_for_selector("#docs tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-doc") == TEXT_DOC
    page.go_back()
    page.click("#chart-dates svg a rect")  # March 2025: the rendered page's date
    page.wait_for_selector("#docs tbody tr")
    assert page.url.endswith("/documents?date=2025-03") and rows.count() == 1
    page.click("#linked-filter a")
    page.wait_for_selector("#docs tbody tr")
    assert rows.count() == 2
    # a document's bar opens its queue; a correction saved there shows on the Overview
    page.goto(f"{server.url}/")
    page.click('#chart-flagged svg a[href="/queue?doc=cu%2Focr-cu"] rect')
    page.wait_for_function("() => document.querySelector('#answer') && document.querySelector('#answer').value === 'Pang,'")
    page.locator("#answer").press("1")  # Đảng,
    page.wait_for_function("() => document.querySelector('#answer').value === 'xa'")
    page.goto(f"{server.url}/#review")
    page.wait_for_selector("#chart-review-clerks svg rect.bar")
    assert page.locator(".ov-stat", has_text="Words left").locator("dd").first.inner_text() == "6"
    assert page.locator(".ov-stat", has_text="Words corrected").locator("dd").first.inner_text() == "1"
    clerks = page.locator("#chart-review-clerks details tbody tr")
    assert clerks.count() == 1 and clerks.first.locator("td").first.text_content() == "Lan"
    page.wait_for_load_state("networkidle")
    assert server.failed == [] and page.console_errors == [] and page.errors == []


def test_the_report_opens_without_a_server(browser, out) -> None:
    """OUT/report.html from file://: its charts drawn, a failure's link to its manifest line, nothing fetched."""
    from pipeline.review.report import write_report

    lines = [{"input": "/in/a.pdf", "output": None, "status": "error", "error": "the file is empty", "pages": 0,
              "seconds": 0.0},
             {"input": "/in/b.pdf", "output": None, "status": "error", "pages": 0, "seconds": 1.0,
              "error": "Tesseract did not finish within 120 s"}]
    (out / "manifest.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    path = write_report(out)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    fetched, errors = [], []
    page.on("request", lambda r: r.url.startswith("file://") or fetched.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    assert page.locator("svg").count() >= 9
    for chart in ["chart-stages", "chart-failures", "chart-confidence", "chart-flagged", "chart-types"]:
        box = page.locator(f"#{chart} svg").bounding_box()
        assert box and box["width"] > 100 and page.locator(f"#{chart} svg rect.bar").count() >= 1, chart
    screenshot(page, "report")
    page.click("#failures a:text-is('line 2')")
    assert page.url.endswith("#manifest-2")
    target = page.locator("tr:target")
    assert target.get_attribute("id") == "manifest-2" and "Tesseract did not finish" in target.inner_text()
    assert target.is_visible()
    assert fetched == [] and errors == []
    context.close()
