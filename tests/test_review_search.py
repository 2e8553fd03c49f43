"""The search page of the review app: `/api/search` over HTTP (Starlette TestClient) and the page in chromium.

The archive is made through the real flow: two text inputs (a plan and a report of
a commune, with sections `I.`, `1.`) run through `pipeline.flow.process_file`
with repair off. The index (`OUT/search.sqlite`) is built by the first search.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipeline.flow import process_file
from pipeline.settings import Settings
from pipeline.ingest.files import InputFile
from pipeline.review.app import create_app

from .test_review_browser import Server, browser, open_page  # noqa: F401 (browser is a fixture)

PLAN = "ke-hoach/45-kh-ubnd"
REPORT = "bao-cao"
PLAN_TEXT = """ỦY BAN NHÂN DÂN
XÃ AN PHÚ
Số: 45/KH-UBND
An Phú, ngày 10 tháng 4 năm 2025
KẾ HOẠCH
Triển khai nhiệm vụ năm 2025 của xã
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Nâng cao hiệu quả phục vụ người dân và doanh nghiệp trên địa bàn xã.
2. Yêu cầu
Các bộ phận phối hợp chặt chẽ, bảo đảm đúng tiến độ đề ra.
II. NHIỆM VỤ TRỌNG TÂM
1. Ứng dụng công nghệ trong cơ quan nhà nước
Đẩy mạnh chuyển đổi số trong giải quyết thủ tục hành chính, số hóa hồ sơ lưu trữ.
2. Tuyên truyền
Đảng ủy xã chỉ đạo tuyên truyền sâu rộng đến từng thôn, từng hộ gia đình.
"""
INJECTION = "<script>alert(1)</script><img src=x onerror=window.__pwned=1>"
REPORT_TEXT = f"""ỦY BAN NHÂN DÂN
PHƯỜNG AN BÌNH
Số: 87/BC-UBND
An Bình, ngày 14 tháng 3 năm 2025
BÁO CÁO
Kết quả công tác cải cách hành chính quý I năm 2025
I. KẾT QUẢ ĐẠT ĐƯỢC
1. Cải cách thủ tục hành chính
Tiếp nhận 320 hồ sơ, giải quyết đúng hạn 98%. Ghi chú kiemtra {INJECTION} hết.
2. Công tác phối hợp
Phối hợp với Mặt trận Tổ quốc rà soát hộ nghèo trên địa bàn.
II. PHƯƠNG HƯỚNG QUÝ II
Tiếp tục kiện toàn bộ phận một cửa liên thôug.
"""
TOKEN = "search-test-token-0123456789"


@pytest.fixture(scope="module")
def search_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search-template")
    src, out = root / "in", root / "out"
    (src / "ke-hoach").mkdir(parents=True)
    (src / "ke-hoach" / "45-kh-ubnd.txt").write_text(PLAN_TEXT, "utf-8")
    (src / "bao-cao.txt").write_text(REPORT_TEXT, "utf-8")
    for doc, text_file in [(PLAN, "ke-hoach/45-kh-ubnd.txt"), (REPORT, "bao-cao.txt")]:
        outcome = process_file(InputFile(src / text_file, Path(doc)), out, Settings(repair=False))
        assert outcome.entry.status == "ok", outcome.entry.error
    return out


@pytest.fixture
def out(search_template, tmp_path) -> Path:
    return Path(shutil.copytree(search_template, tmp_path / "out"))


@pytest.fixture
def client(out) -> TestClient:
    return TestClient(create_app(out, token=TOKEN))


def find(client: TestClient, q: str, **params) -> dict:
    res = client.get("/api/search", params={"q": q, **params})
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("application/json")
    return res.json()


def marks(hit: dict, key: str = "parts") -> list[str]:
    return [p["text"] for p in hit[key] if p["mark"]]


def joined(hit: dict, key: str = "parts") -> str:
    return "".join(p["text"] for p in hit[key])


# --- the API


def test_unaccented_query_finds_the_section(out, client) -> None:
    assert not (out / "search.sqlite").exists()
    data = find(client, "chuyen doi so")
    assert (out / "search.sqlite").is_file()  # the first search built the index
    hit = data["hits"][0]
    assert hit["doc"] == PLAN and hit["number"] == "45/KH-UBND" and hit["doc_type"] == "KẾ HOẠCH"
    assert hit["date"] == "2025-04-10" and "AN PHÚ" in hit["issuer"]
    assert hit["section"] == "II > 1" and hit["section_title"] == "Ứng dụng công nghệ trong cơ quan nhà nước"
    assert hit["page"] == 1
    assert marks(hit)[:3] == ["chuyển", "đổi", "số"]  # (and `số hóa`, `hồ sơ`: marks are optional)
    assert joined(hit) == hit["snippet"] and "Đẩy mạnh chuyển đổi số" in hit["snippet"]
    assert "root" not in hit and not any(str(out) in str(v) for v in hit.values())
    # the section's link: the same page view the documents list opens
    docs = client.get("/api/documents").json()
    assert PLAN in [d["id"] for d in docs["documents"]]
    assert client.get("/api/document", params={"doc": hit["doc"]}).status_code == 200


def test_d_and_marks_are_optional(client) -> None:
    hit = find(client, "dang uy")["hits"][0]
    assert hit["doc"] == PLAN and hit["section"] == "II > 2"
    assert marks(hit) == ["Đảng", "ủy"]
    assert find(client, "ĐẢNG ỦY")["hits"][0]["section"] == "II > 2"
    # a match in a heading is marked in the section title
    titles = {h["section"]: marks(h, "title_parts") for h in find(client, "muc dich")["hits"]}
    assert titles["I"] == ["MỤC", "ĐÍCH"] and titles["I > 1"] == ["Mục", "đích"]


def test_script_in_a_document_is_returned_as_plain_data(client) -> None:
    res = client.get("/api/search", params={"q": "kiemtra"})
    hit = res.json()["hits"][0]
    assert hit["doc"] == REPORT and hit["section"] == "I > 1"
    assert INJECTION in hit["snippet"] and INJECTION in joined(hit)
    assert "snippet_html" not in hit
    assert "script-src 'self'" in res.headers["content-security-policy"]
    # the page itself is the fixed shell: no data in its HTML
    page = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert page.status_code == 200 and "<script>alert" not in page.text
    assert '<script src="/static/search.js"' in page.text and 'href="/search"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/search.js").status_code == 200


def test_filters(client) -> None:
    both = {h["doc"] for h in find(client, "ho so")["hits"]}
    assert both == {PLAN, REPORT}
    assert {h["doc"] for h in find(client, "ho so", type="BC")["hits"]} == {REPORT}
    assert {h["doc"] for h in find(client, "ho so", type="KH")["hits"]} == {PLAN}
    assert {h["doc"] for h in find(client, "ho so", **{"from": "2025-04-01"})["hits"]} == {PLAN}
    assert {h["doc"] for h in find(client, "ho so", to="2025-03-31")["hits"]} == {REPORT}
    assert {h["doc"] for h in find(client, "ho so", issuer="phuong an binh")["hits"]} == {REPORT}
    assert find(client, "ho so", type="BC", issuer="xa an phu")["hits"] == []


def test_paging_and_bad_requests(client) -> None:
    first = find(client, "ho so", limit=1)
    assert len(first["hits"]) == 1 and first["more"]
    second = find(client, "ho so", limit=1, offset=1)
    assert second["hits"] and second["hits"][0] != first["hits"][0]
    assert find(client, "ho so", limit="lots")["limit"] == 20
    assert find(client, "ho so", limit=10**9)["limit"] == 100
    for params in [{"q": ""}, {"q": "   "}, {"q": "ho so", "from": "not-a-date"}, {"q": "x" * 600}, {"q": "-only"}]:
        res = client.get("/api/search", params=params)
        assert res.status_code == 400 and res.json()["error"], params
    # FTS syntax typed by a clerk is taken as words, never as an SQL or FTS expression
    assert client.get("/api/search", params={"q": 'NEAR( "x" ) ; DROP TABLE docs --'}).status_code == 200


def test_no_path_through_parameters(out, client, tmp_path) -> None:
    other = tmp_path / "other.sqlite"
    for params in [{"q": "dang uy", "db": str(other)}, {"q": "dang uy", "issuer": "../../etc/passwd"},
                   {"q": "../../etc/passwd"}]:
        assert client.get("/api/search", params=params).status_code == 200
    assert not other.exists()
    assert (out / "search.sqlite").is_file()


def test_a_saved_correction_is_findable(out, client) -> None:
    assert find(client, "lien thong")["hits"] == []  # the OCR read `thôug`
    view = client.get("/api/document", params={"doc": REPORT}).json()
    word = next(w for p in view["pages"] for ln in p["lines"] for w in ln["words"] if w["text"] == "thôug.")
    body = {"doc": REPORT, "word": word["id"], "text": "thông.", "who": "Lan", "version": view["version"],
            "seen": word["seen"]}
    res = client.post("/api/correct", json=body, headers={"X-Vnocr-Token": TOKEN})
    assert res.status_code == 200, res.text
    hit = find(client, "lien thong")["hits"][0]
    assert hit["doc"] == REPORT and hit["section"] == "II" and marks(hit) == ["liên", "thông"]


def test_search_is_read_only_for_documents(out, client) -> None:
    before = {p: p.read_bytes() for p in out.rglob("*.json")}
    find(client, "chuyen doi so")
    assert {p: p.read_bytes() for p in out.rglob("*.json")} == before
    assert client.post("/api/search", json={"q": "x"}, headers={"X-Vnocr-Token": TOKEN}).status_code == 405


# --- the page in chromium


@pytest.mark.browser
def test_search_page_in_a_browser(browser, out) -> None:  # noqa: F811 (browser is the imported fixture)
    with Server(out) as server:
        page = open_page(browser, server, "/search")
        page.wait_for_selector("#q")
        page.select_option("#f-type", "KH")
        page.fill("#q", "chuyen doi so")
        page.press("#q", "Enter")
        hit = page.locator(f'li.hit[data-doc="{PLAN}"]').filter(has_text="II > 1").first
        hit.wait_for()
        assert hit.locator(".hit-snippet mark").all_text_contents()[:3] == ["chuyển", "đổi", "số"]
        assert "45/KH-UBND" in hit.locator(".hit-link").text_content()
        assert "page 1" in hit.locator(".hit-page").text_content()
        assert page.locator("#more").is_hidden()  # every hit is shown
        assert re.search(r"q=chuyen\+doi\+so", page.url) and "type=KH" in page.url  # Back comes here again
        # a script in a document stays text
        page.select_option("#f-type", "")
        page.fill("#q", "kiemtra")
        page.press("#q", "Enter")
        snippet = page.locator(f'li.hit[data-doc="{REPORT}"] .hit-snippet')
        snippet.wait_for()
        assert INJECTION in snippet.text_content()
        assert page.evaluate("window.__pwned") is None and page.locator(".hit-snippet img, .hit-snippet script").count() == 0
        # follow a hit to the page view
        page.fill("#q", "chuyen doi so")
        page.press("#q", "Enter")
        link = page.locator(f'li.hit[data-doc="{PLAN}"]').filter(has_text="II > 1").first.locator("a.hit-link")
        link.click()
        page.wait_for_url(re.compile(r"/page\?doc=ke-hoach%2F45-kh-ubnd&page=1$"))
        page.wait_for_selector("#sheet .wbox")
        assert "chuyển" in page.locator("#sheet").text_content()
        assert page.errors == []
        page.context.close()
