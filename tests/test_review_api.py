"""The review app over HTTP (Starlette TestClient): safety (paths, script injection, token) and saving.

The archive is made through the real flow: a small page rendered with PIL and a
text input, run through `pipeline.flow.process_file`; then a few words get what
repair will give them (a wrong reading, a flag, ranked alternatives).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from pipeline.flow import process_file
from pipeline.settings import Settings
from pipeline.ingest.files import InputFile
from pipeline.outputs import read_document, write_document
from pipeline.layout.structure import structure_document
from pipeline.review import edits
from pipeline.review.app import LOOPBACK_HOSTS, create_app
from pipeline.review.pages import PACKAGE
from pipeline.text.vietnamese import fold

from .conftest import draw_page, load_valid_json

IMAGE_DOC = "bao-cao-phuong"
TEXT_DOC = "cu/ocr-cu"
PAGE = [
    (60, 50, "ỦY BAN NHÂN DÂN", False),
    (700, 50, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
    (75, 100, "PHƯỜNG AN BÌNH", True),
    (800, 100, "Độc lập - Tự do - Hạnh phúc", True),
    (60, 180, "Số: 125/BC-UBND", False),
    (760, 180, "An Bình, ngày 14 tháng 3 năm 2025", False),
    (640, 270, "BÁO CÁO", True),
    (60, 360, "Đảng ủy phường lãnh đạo công tác chuyển đổi số.", False),
    (60, 420, "Chi bộ Đảng triển khai kế hoạch của Ủy ban nhân dân.", False),
    (60, 480, "Nhiệm vụ trọng tâm là cải cách hành chính.", False),
]
TEXT_INPUT = (
    "UY BAN NHAN DAN XA AN PHU\n"
    "Pang, chinh quyen xa hop ngay 5/3/2025.\n"
    "\n"
    "Ghi chu <svg/onload=window.__pwned=1> <script>window.__pwned=2</script> het.\n"
)
INJECTION = "<svg/onload=window.__pwned=1>"


def _render_page(path: Path) -> None:
    lines = [(round(x * 1.235), round(y * 1.235), text, is_bold) for x, y, text, is_bold in PAGE]
    draw_page(lines, size=(1830, 740), font_px=42).save(path, dpi=(300, 300))


def _fold(text: str) -> str:
    return fold(text).casefold()


def _pin_to_truth(doc, truth: list[str]) -> None:
    """Give each OCR line the rendered text when it has the same words (marks aside), as a perfect OCR would:
    tests then do not depend on which mark this Tesseract build misses; boxes, lines and images stay the OCR's own."""
    for line in doc.lines():
        for expected in truth:
            tokens = expected.split()
            if len(tokens) == len(line.words) and all(_fold(w.text) == _fold(t) for w, t in zip(line.words, tokens)):
                for w, t in zip(line.words, tokens):
                    w.ocr, w.text, w.conf = t, t, max(w.conf, 0.9)
                break


def _word(doc, text: str, nth: int = 0):
    found = [w for w in doc.words() if w.text == text]
    assert len(found) > nth, f"the OCR did not read {text!r}: {[w.text for w in doc.words()]}"
    return found[nth]


def _as_repair_leaves_it(word, ocr: str, text: str, alternatives: list[str], conf: float, flag: bool = True) -> None:
    """What repair (being built) will leave on a word: what the OCR read, its best reading, ranked alternatives, a flag."""
    word.ocr, word.text, word.conf, word.flag, word.alternatives = ocr, ocr, conf, flag, alternatives
    if text != ocr:
        word.set_text(text, "repair")


def build_archive(root: Path) -> Path:
    """`vnocr process` output for one rendered page and one text input, with flagged words; returns OUT."""
    src, out = root / "in", root / "out"
    (src / "cu").mkdir(parents=True)
    _render_page(src / "bao-cao-phuong.png")
    (src / "cu" / "ocr-cu.txt").write_text(TEXT_INPUT, "utf-8")
    settings = Settings(repair=False)  # the flagged words below stand in for what repair will decide
    for path, rel in [(src / "bao-cao-phuong.png", Path(IMAGE_DOC)), (src / "cu" / "ocr-cu.txt", Path(TEXT_DOC))]:
        outcome = process_file(InputFile(path, rel), out, settings)
        assert outcome.entry.status == "ok", outcome.entry.error

    doc = read_document(out / f"{IMAGE_DOC}.json")
    _pin_to_truth(doc, [text for _, _, text, _ in PAGE])
    _as_repair_leaves_it(_word(doc, "Đảng", 0), "Pang", "Pang", ["Đảng", "Đang", "Páng"], 0.31)
    _as_repair_leaves_it(_word(doc, "Đảng", 0), "Pang", "Pang", ["Đảng", "Đang", "Páng"], 0.33)
    _as_repair_leaves_it(_word(doc, "chuyển"), "chuyen", "chuyển", ["chuyển", "chuyến", "chuyên"], 0.52)
    _as_repair_leaves_it(_word(doc, "trọng"), "trong", "trong", [], 0.40)
    _as_repair_leaves_it(_word(doc, "lãnh"), "lanh", "lanh", ["lãnh", "lạnh"], 0.55, flag=False)
    write_document(structure_document(doc), out / f"{IMAGE_DOC}.json")

    doc = read_document(out / f"{TEXT_DOC}.json")
    _as_repair_leaves_it(_word(doc, "Pang,"), "Pang,", "Pang,", ["Đảng,", "Đang,"], 0.30)
    _as_repair_leaves_it(_word(doc, "xa"), "xa", "xa", ["xã", "xa", "xá"], 0.45)
    _as_repair_leaves_it(_word(doc, INJECTION), INJECTION, INJECTION, ["<b>bold</b>", "<i>x</i>"], 0.10)
    write_document(structure_document(doc), out / f"{TEXT_DOC}.json")
    return out


@pytest.fixture(scope="session")
def archive_template(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("review-template"))


@pytest.fixture
def out(archive_template, tmp_path) -> Path:
    """A fresh copy of the archive for each test."""
    return Path(shutil.copytree(archive_template, tmp_path / "out"))


TOKEN = "test-token-0123456789"


@pytest.fixture
def client(out) -> TestClient:
    return TestClient(create_app(out, token=TOKEN))


def post(client: TestClient, path: str, body: dict, token: str | None = TOKEN):
    headers = {"X-Vnocr-Token": token} if token else {}
    return client.post(path, json=body, headers=headers)


def queue_item(client: TestClient, doc: str, text: str) -> dict:
    items = client.get("/api/queue", params={"doc": doc}).json()["items"]
    return next(it for it in items if it["word"]["text"] == text)


def correct(client: TestClient, item: dict, text: str, who: str = "Lan", **extra):
    body = {"doc": item["doc"], "word": item["word"]["id"], "text": text, "who": who,
            "version": item["version"], "seen": item["word"]["seen"], **extra}
    return post(client, "/api/correct", body)


def audit(out: Path) -> list[dict]:
    path = out / "audit.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []


# --- the pages and the list


def test_pages_carry_the_token_and_a_strict_policy(client) -> None:
    for path in ["/", "/documents", "/queue", "/page?doc=x", "/batch"]:
        res = client.get(path)
        assert res.status_code == 200
        assert f'<meta name="vnocr-token" content="{TOKEN}">' in res.text
        assert "script-src 'self'" in res.headers["content-security-policy"]
        assert res.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/common.js").status_code == 200


def test_documents_list_reads_structure_and_falls_back_to_the_file_name(client) -> None:
    data = client.get("/api/documents").json()
    docs = {d["id"]: d for d in data["documents"]}
    assert set(docs) == {IMAGE_DOC, TEXT_DOC}
    a, b = docs[IMAGE_DOC], docs[TEXT_DOC]
    # the administrative fields, as the structure stage finds them
    assert (a["doc_type"], a["number"], a["date_iso"]) == ("BÁO CÁO", "125/BC-UBND", "2025-03-14")
    assert "PHƯỜNG AN BÌNH" in a["issuer"] and a["pages"] == 1 and a["flagged"] == 4
    assert b["name"] == "ocr-cu.txt" and b["doc_type"] == "" and b["flagged"] == 3 and b["kind"] == "text"
    assert data["totals"] == {"documents": 2, "flagged": 7, "reviewed": 0, "done": 0}


def test_structure_of_any_shape_never_breaks_the_list(out, client) -> None:
    data = json.loads((out / f"{TEXT_DOC}.json").read_text("utf-8"))
    # older or newer shapes of the structure than the schema of today
    data["structure"].update({"issuer": {"lines": [{"text": "UBND"}]}, "number": 311, "date": ["x", None], "doc_type": {"name": "TỜ TRÌNH"}})
    (out / f"{TEXT_DOC}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    (out / "notes.json").write_text('{"not": "a document"}', "utf-8")
    (out / "broken.json").write_text("{", "utf-8")
    docs = {d["id"]: d for d in client.get("/api/documents").json()["documents"]}
    assert set(docs) == {IMAGE_DOC, TEXT_DOC}
    assert (docs[TEXT_DOC]["number"], docs[TEXT_DOC]["doc_type"], docs[TEXT_DOC]["date"]) == ("311", "TỜ TRÌNH", "x")


# --- safety


@pytest.mark.parametrize("doc", [
    "../out", "../../etc/passwd", "/etc/passwd", "bao-cao-phuong/../../out/bao-cao-phuong", "..", ".",
    "cu/../../x", "cu\\..\\bao-cao-phuong", "bao-cao-phuong.pages/../bao-cao-phuong", ".review", "%2e%2e/x", "x\x00",
])
def test_path_traversal_is_refused(client, doc) -> None:
    for path in ["/api/document", "/api/queue", "/api/image", "/api/crop"]:
        res = client.get(path, params={"doc": doc, "page": 1, "word": "p1-w1"})
        assert res.status_code == 404, (path, doc, res.text)
    res = post(client, "/api/correct", {"doc": doc, "word": "p1-w1", "text": "x", "who": "Lan", "seen": {}})
    assert res.status_code == 404


def test_files_outside_out_are_never_served(out, client, tmp_path) -> None:
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8 not for clerks")
    data = json.loads((out / f"{IMAGE_DOC}.json").read_text("utf-8"))
    data["pages"][0]["image"] = "../secret.jpg"
    (out / "evil.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert client.get("/api/document", params={"doc": "evil"}).status_code == 200
    assert client.get("/api/image", params={"doc": "evil", "page": 1}).status_code == 404
    assert client.get("/api/crop", params={"doc": "evil", "word": "p1-w1"}).status_code == 404
    data["pages"][0]["image"] = "../bao-cao-phuong.json"  # inside OUT, but not an image
    (out / "evil.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert client.get("/api/image", params={"doc": "evil", "page": 1}).status_code == 404
    # a symlink out of OUT is neither listed nor opened
    outside = tmp_path / "outside.json"
    shutil.copy(out / f"{IMAGE_DOC}.json", outside)
    (out / "link.json").symlink_to(outside)
    assert "link" not in {d["id"] for d in client.get("/api/documents").json()["documents"]}
    assert client.get("/api/document", params={"doc": "link"}).status_code == 404
    # the static mount serves the package's assets only
    for path in ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/%2e%2e/%2e%2e/model.py"]:
        res = client.get(path)
        assert res.status_code == 404 and "create_app" not in res.text, path
    # the real page image is served
    res = client.get("/api/image", params={"doc": IMAGE_DOC, "page": 1})
    assert res.status_code == 200 and res.content[:2] == b"\xff\xd8"


def test_ocr_text_never_becomes_markup(client) -> None:
    # the HTML never carries document data, not even the query string
    res = client.get("/page", params={"doc": f"{TEXT_DOC}<script>alert(1)</script>"})
    assert res.status_code == 200 and "<script>alert" not in res.text and "__pwned" not in res.text
    # the data comes as JSON, verbatim, never sniffed as HTML
    res = client.get("/api/document", params={"doc": TEXT_DOC})
    assert res.headers["content-type"].startswith("application/json") and res.headers["x-content-type-options"] == "nosniff"
    words = [w for p in res.json()["pages"] for ln in p["lines"] for w in ln["words"]]
    assert INJECTION in [w["text"] for w in words]
    assert "<script>window.__pwned=2</script>" in [w["text"] for w in words]
    # a clerk typing markup saves it as text, and it stays text
    item = queue_item(client, TEXT_DOC, INJECTION)
    assert item["word"]["alternatives"] == ["<b>bold</b>", "<i>x</i>"]
    assert correct(client, item, "<img src=x onerror=alert(1)>").status_code == 200
    # the scripts only ever put data into the page as text
    for script in (PACKAGE / "static").iterdir():
        if script.name.endswith(".js"):
            code = script.read_text("utf-8")
            assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", code), script.name


def test_state_changes_need_the_page_token(client, out) -> None:
    item = queue_item(client, IMAGE_DOC, "chuyển")
    body = {"doc": IMAGE_DOC, "word": item["word"]["id"], "text": "chuyển", "who": "Lan", "seen": item["word"]["seen"]}
    before = (out / f"{IMAGE_DOC}.json").read_bytes()
    assert post(client, "/api/correct", body, token=None).status_code == 403
    assert post(client, "/api/correct", body, token="guess").status_code == 403
    assert post(client, "/api/batch/apply", {"find": "Pang", "replace": "Đảng", "who": "x", "items": []}, token=None).status_code == 403
    # a cross-site form post cannot set the header; even with it, only JSON is taken
    res = client.post("/api/correct", data=body, headers={"X-Vnocr-Token": TOKEN})
    assert res.status_code == 415
    assert (out / f"{IMAGE_DOC}.json").read_bytes() == before and not (out / "audit.jsonl").exists()
    assert post(client, "/api/correct", body).status_code == 200
    # each server has its own token
    other = TestClient(create_app(out))
    assert post(other, "/api/correct", body).status_code == 403
    token = re.search(r'name="vnocr-token" content="([^"]+)"', other.get("/").text).group(1)
    assert token != TOKEN and len(token) >= 32


def test_host_header_is_checked_on_loopback(out) -> None:
    client = TestClient(create_app(out, allowed_hosts=LOOPBACK_HOSTS), base_url="http://127.0.0.1:8765")
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 400
    assert client.get("/", headers={"host": "127.0.0.1.evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "[::1]:8765"}).status_code == 200
    assert client.get("/", headers={"host": "localhost"}).status_code == 200


# --- saving


def test_a_correction_is_saved_everywhere(client, out) -> None:
    item = queue_item(client, IMAGE_DOC, "Pang")
    res = correct(client, item, "Đảng")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["version"] == 2 and not body["merged"] and body["word"]["text"] == "Đảng"
    data = load_valid_json(out / f"{IMAGE_DOC}.json")
    word = next(w for p in data["pages"] for ln in p["lines"] for w in ln["words"] if w["id"] == item["word"]["id"])
    assert (word["text"], word["source"], word["who"], word["flag"], word["ocr"]) == ("Đảng", "clerk", "Lan", False, "Pang")
    assert word["history"][-1] == {"text": "Pang", "source": "ocr", "who": None, "when": None}
    assert data["version"] == 2
    assert "Đảng ủy phường lanh đạo" in (out / f"{IMAGE_DOC}.txt").read_text("utf-8")
    [entry] = audit(out)
    assert {k: entry[k] for k in ("doc", "word", "before", "after", "who", "action", "version")} == {
        "doc": IMAGE_DOC, "word": item["word"]["id"], "before": "Pang", "after": "Đảng", "who": "Lan", "action": "correct", "version": 2}
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", entry["when"])
    # learning waits until the line is clean: chuyển is still flagged, then lanh is still doubtful
    learned = out / "corrections" / f"{IMAGE_DOC}.txt"
    assert not learned.exists()
    assert correct(client, queue_item(client, IMAGE_DOC, "chuyển"), "chuyển").status_code == 200
    assert audit(out)[-1]["action"] == "confirm" and not learned.exists()
    lanh = next(w for ln in client.get("/api/document", params={"doc": IMAGE_DOC}).json()["pages"][0]["lines"]
                for w in ln["words"] if w["text"] == "lanh")
    assert lanh["low"] and not lanh["flag"]
    assert correct(client, {"doc": IMAGE_DOC, "version": 3, "word": lanh}, "lãnh").status_code == 200
    assert learned.read_text("utf-8") == "Đảng ủy phường lãnh đạo công tác chuyển đổi số.\n"
    assert client.get("/api/documents").json()["totals"] == {"documents": 2, "flagged": 5, "reviewed": 3, "done": 0}


def test_bad_input_is_refused_with_a_reason(client) -> None:
    item = queue_item(client, IMAGE_DOC, "Pang")
    assert correct(client, item, "Đảng", who="  ").json()["error"].startswith("enter your name")
    assert correct(client, item, "x\ny").status_code == 400
    assert correct(client, item, "x" * 500).status_code == 400
    assert post(client, "/api/correct", {"doc": IMAGE_DOC, "word": "nope", "text": "x", "who": "L", "seen": {}}).status_code == 404
    res = client.post("/api/correct", content=b"{", headers={"X-Vnocr-Token": TOKEN, "content-type": "application/json"})
    assert res.status_code == 400


def test_a_failed_save_changes_nothing(client, out, monkeypatch) -> None:
    from pipeline.review import archive

    def broken(doc):
        raise ValueError("structure is being rebuilt")

    monkeypatch.setattr(archive, "structure_document", broken)
    before = (out / f"{IMAGE_DOC}.json").read_bytes(), (out / f"{IMAGE_DOC}.txt").read_bytes()
    res = correct(client, queue_item(client, IMAGE_DOC, "Pang"), "Đảng")
    assert res.status_code == 500 and "nothing was changed" in res.json()["error"]
    assert ((out / f"{IMAGE_DOC}.json").read_bytes(), (out / f"{IMAGE_DOC}.txt").read_bytes()) == before
    assert audit(out) == []


def test_edits_to_different_words_merge_and_the_same_word_conflicts(client, out) -> None:
    first, second = [it for it in client.get("/api/queue", params={"doc": IMAGE_DOC}).json()["items"] if it["word"]["text"] == "Pang"]
    trong = queue_item(client, IMAGE_DOC, "trong")
    assert correct(client, first, "Đảng", who="Lan").status_code == 200
    # Minh saw version 1; another word: merged
    res = correct(client, trong, "trọng", who="Minh")
    assert res.status_code == 200 and res.json()["merged"] and res.json()["version"] == 3
    # Minh, still on version 1, corrects the word Lan already corrected: conflict, nothing overwritten
    res = correct(client, first, "Đang", who="Minh")
    assert res.status_code == 409
    conflict = res.json()
    assert conflict["word"]["text"] == "Đảng" and conflict["word"]["who"] == "Lan" and conflict["version"] == 3
    doc = read_document(out / f"{IMAGE_DOC}.json")
    assert doc.word(first["word"]["id"]).text == "Đảng" and doc.word(trong["word"]["id"]).text == "trọng" and doc.version == 3
    # knowing it, Minh overwrites: the request carries the word as it is now
    res = post(client, "/api/correct", {"doc": IMAGE_DOC, "word": first["word"]["id"], "text": "Đang", "who": "Minh",
                                        "version": conflict["version"], "seen": conflict["word"]["seen"]})
    assert res.status_code == 200 and not res.json()["merged"]
    word = read_document(out / f"{IMAGE_DOC}.json").word(first["word"]["id"])
    assert [(e.text, e.source, e.who) for e in word.history] == [("Pang", "ocr", None), ("Đảng", "clerk", "Lan")]
    assert [a["who"] for a in audit(out)] == ["Lan", "Minh", "Minh"]
    assert correct(client, second, "Đảng", who="Lan").json()["merged"]


def test_undo_puts_the_word_back_as_it_was(client, out) -> None:
    item = queue_item(client, IMAGE_DOC, "chuyển")
    saved = correct(client, item, "chuyến").json()["word"]
    res = post(client, "/api/correct", {"doc": IMAGE_DOC, "word": item["word"]["id"], "text": "chuyển", "who": "Lan",
                                        "seen": saved["seen"], "flag": True, "restore": True})
    assert res.status_code == 200
    word = read_document(out / f"{IMAGE_DOC}.json").word(item["word"]["id"])
    assert (word.text, word.source, word.who, word.flag) == ("chuyển", "repair", None, True)
    assert [e.text for e in word.history] == ["chuyen", "chuyển", "chuyến"]
    assert [a["action"] for a in audit(out)] == ["correct", "undo"]
    assert queue_item(client, IMAGE_DOC, "chuyển")["word"]["flag"]


def test_queue_lists_flagged_words_in_reading_order_with_context(client) -> None:
    data = client.get("/api/queue").json()
    assert data["left"] == 7
    assert [(it["doc"], it["word"]["text"]) for it in data["items"]] == [
        (IMAGE_DOC, "Pang"), (IMAGE_DOC, "chuyển"), (IMAGE_DOC, "Pang"), (IMAGE_DOC, "trong"),
        (TEXT_DOC, "Pang,"), (TEXT_DOC, "xa"), (TEXT_DOC, INJECTION)]
    first = data["items"][0]
    assert first["has_image"] and first["word"]["ocr"] == "Pang" and first["word"]["alternatives"][0] == "Đảng"
    assert " ".join(w["text"] for w in first["context"]["words"]) == "Pang ủy phường lanh đạo công tác chuyển đổi số."
    assert "BÁO CÁO" in first["context"]["before"] and first["context"]["after"].endswith("bộ Pang triển khai kế hoạch của Ủy ban nhân dân.")
    text_item = data["items"][4]
    assert not text_item["has_image"] and text_item["word"]["bbox"] is None


def test_crops_show_the_word_and_its_line(client) -> None:
    item = queue_item(client, IMAGE_DOC, "Pang")
    res = client.get("/api/crop", params={"doc": IMAGE_DOC, "word": item["word"]["id"]})
    assert res.status_code == 200 and res.headers["content-type"] == "image/jpeg"
    from io import BytesIO

    crop = Image.open(BytesIO(res.content))
    x0, y0, x1, y1 = item["word"]["bbox"]
    assert crop.height < 200 and crop.width > 10 * (x1 - x0)  # the line, not the page
    assert client.get("/api/crop", params={"doc": TEXT_DOC, "word": "p1-w1"}).status_code == 404


def test_batch_fix_previews_then_corrects_every_occurrence(client, out) -> None:
    preview = client.get("/api/batch/preview", params={"find": "Pang", "replace": "Đảng"}).json()
    assert preview["total"] == 3
    assert [(it["doc"], it["word"]["text"], it["after"]) for it in preview["items"]] == [
        (IMAGE_DOC, "Pang", "Đảng"), (IMAGE_DOC, "Pang", "Đảng"), (TEXT_DOC, "Pang,", "Đảng,")]
    assert client.get("/api/batch/preview", params={"find": "PANG"}).json()["total"] == 0
    assert client.get("/api/batch/preview", params={"find": "PANG", "ignore_case": "1"}).json()["total"] == 3
    assert client.get("/api/batch/preview", params={"find": "two words"}).status_code == 400
    # one of them changes before the batch runs: it is left alone and reported
    assert correct(client, preview["items"][1], "Đang", who="Minh").status_code == 200
    items = [{"doc": it["doc"], "word": it["word"]["id"], "seen": it["word"]["seen"]} for it in preview["items"]]
    res = post(client, "/api/batch/apply", {"find": "Pang", "replace": "Đảng", "who": "Lan", "items": items}).json()
    assert len(res["applied"]) == 2 and res["documents"] == 2
    assert [c["word"]["text"] for c in res["conflicts"]] == ["Đang"]
    a = read_document(out / f"{IMAGE_DOC}.json")
    assert [a.word(it["word"]["id"]).text for it in preview["items"][:2]] == ["Đảng", "Đang"] and a.version == 3
    assert "Đảng, chinh quyen" in (out / f"{TEXT_DOC}.txt").read_text("utf-8")
    assert [(e["action"], e["after"]) for e in audit(out)] == [("correct", "Đang"), ("batch", "Đảng"), ("batch", "Đảng,")]
    # the learned text: clean corrected lines only
    # learned text: lines a clerk checked with nothing left flagged (line 1 of the image still waits for chuyển)
    learned = (out / "corrections" / f"{IMAGE_DOC}.txt").read_text("utf-8")
    assert re.fullmatch(r"\S+ bộ Đang triển khai kế hoạch của Ủy ban nhân dân\.\n", learned), learned
    assert not (out / "corrections" / "cu" / "ocr-cu.txt").exists()  # xa is still flagged on that line
    suggestions = client.get("/api/batch/suggestions").json()["suggestions"]
    assert suggestions == []  # Pang no longer occurs anywhere


def test_batch_suggestions_come_from_earlier_corrections(client) -> None:
    item = queue_item(client, IMAGE_DOC, "Pang")
    correct(client, item, "Đảng")
    assert client.get("/api/batch/suggestions").json()["suggestions"] == [{"find": "Pang", "replace": "Đảng", "left": 2}]


def test_edit_rules() -> None:
    assert edits.split_core("(Pang),") == ("(", "Pang", "),")
    assert edits.split_core("125/BC-UBND") == ("", "125/BC-UBND", "")
    assert edits.split_core("-") == ("-", "", "")
    assert edits.replace_token("Pang,", "Pang", "Đảng", False) == "Đảng,"
    assert edits.replace_token("PANG", "Pang", "Đảng", True) == "ĐẢNG"
    assert edits.replace_token("pang.", "Pang", "Đảng", True) == "đảng."
    assert edits.matches("“Pang”", "Pang", False) and not edits.matches("Pangs", "Pang", False)
    assert edits.clean_text(" Đa\u0309ng ") == "Đảng"  # typed as combining marks -> NFC
    with pytest.raises(edits.InvalidEdit):
        edits.clean_name("\t ")


def test_review_command_needs_an_output_folder(tmp_path) -> None:
    from pipeline.cli import main

    assert main(["review", str(tmp_path / "missing")]) == 2
