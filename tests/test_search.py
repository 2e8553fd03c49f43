"""Search: a real SQLite FTS5 index of documents built through the real flow; folding, ranking, filters, updates."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.flow import read_document
from pipeline.settings import Settings
from pipeline.outputs import read_document as read_json
from pipeline.outputs import write_document
from pipeline.errors import SearchError
from pipeline.layout.structure import structure_document
from pipeline.search.folding import display_text, fold_aligned
from pipeline.search.index import build_index
from pipeline.search.query import Hit, SearchFilters, search, stats
from pipeline.text.vietnamese import fold, nfc

BC = """UBND HUYỆN PHÚ BÌNH
ỦY BAN NHÂN DÂN XÃ TÂN HÒA
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 41/BC-UBND
Tân Hòa, ngày 12 tháng 6 năm 2025
BÁO CÁO
Kết quả chuyển đổi số 6 tháng đầu năm 2025
Thực hiện chỉ đạo của Đảng ủy xã, Ủy ban nhân dân xã Tân Hòa báo cáo kết quả như sau:
I. KẾT QUẢ ĐẠT ĐƯỢC
1. Hạ tầng số
1.1. Mạng viễn thông
Sóng di động đã phủ khắp các thôn; cáp quang kéo đến nhà văn hóa thôn Bến Đò với kinh phí 120 triệu đồng.
1.2. Dữ liệu dân cư
Cán bộ rà soát, cập nhật dữ liệu của 2.150 hộ gia đình vào hệ thống.
2. Dịch vụ công trực tuyến
Tỷ lệ hồ sơ nộp trực tuyến đạt 62%; người dân đánh giá thủ tục thuận tiện hơn trước.
\fII. NHIỆM VỤ THỜI GIAN TỚI
1. Tiếp tục đẩy mạnh chuyển đổi số trong các cơ quan, đơn vị của xã.
2. Hướng dẫn người dân thanh toán không dùng tiền mặt.
Trên đây là báo cáo kết quả chuyển đổi số của UBND xã Tân Hòa./.
Nơi nhận:
- UBND huyện Phú Bình;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Lê Văn Minh
"""

KH = """ỦY BAN NHÂN DÂN
PHƯỜNG ĐÔNG THÀNH
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 88/KH-UBND
Đông Thành, ngày 05 tháng 11 năm 2024
KẾ HOẠCH
Nạo vét kênh mương và phòng chống ngập úng mùa mưa năm 2024
Căn cứ tình hình thực tế, Ủy ban nhân dân phường ban hành kế hoạch như sau:
I. MỤC ĐÍCH, YÊU CẦU
Bảo đảm dòng chảy thông suốt; dòng kênh, dòng mương không bị ùn tắc; đóng cống kịp thời khi triều cường.
II. NỘI DUNG
1. Chuyển giao thiết bị
Phòng Kinh tế chuyển giao máy bơm cho các tổ dân phố, đổi mới cách vận hành, cập nhật số liệu mưa hằng ngày.
2. Kinh phí
Kinh phí thực hiện dự kiến 350 triệu đồng từ ngân sách phường, huy động thêm sự đóng góp của cộng đồng dân cư và hỗ trợ của các doanh nghiệp trên địa bàn phường trong năm.
Nơi nhận:
- UBND thành phố;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Trần Quốc Bảo
"""

QD = """ỦY BAN NHÂN DÂN
XÃ HÒA PHƯỚC
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 15/QĐ-UBND
Hòa Phước, ngày 20 tháng 02 năm 2025
QUYẾT ĐỊNH
Về việc thành lập Tổ công nghệ số cộng đồng xã Hòa Phước
CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ HÒA PHƯỚC
Căn cứ Luật Tổ chức chính quyền địa phương;
Xét đề nghị của công chức Văn phòng - Thống kê xã.
QUYẾT ĐỊNH:
Điều 1. Thành lập Tổ công nghệ số cộng đồng xã Hòa Phước gồm 12 thành viên, do Phó Chủ tịch UBND xã làm tổ trưởng.
Điều 2. Tổ có nhiệm vụ hướng dẫn người dân sử dụng dịch vụ công trực tuyến và ứng dụng chuyển đổi số.
Điều 3. Quyết định này có hiệu lực kể từ ngày ký.
Nơi nhận:
- Như Điều 3;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Phạm Thị Hoa
"""

# Earlier OCR text in decomposed form (NFD), without the administrative layout: only lines and paragraphs.
NOTE = unicodedata.normalize("NFD", "Lịch tiếp công dân tháng bảy\n\nNgười dân mang theo căn cước khi đến Bộ phận một cửa.\n")

SOURCES = {"bc-tanhoa": BC, "kh-dongthanh": KH, "qd-hoaphuoc": QD, "ghi-chu/lich": NOTE}


def build(folder: Path, sources: dict[str, str] = SOURCES) -> Path:
    """The documents through the real flow (text input, no repair), written as `vnocr process` writes them."""
    src, out = folder / "src", folder / "out"
    for stem, text in sources.items():
        path = src / f"{stem}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        doc = read_document(path, Settings(repair=False, page_images=False))
        write_document(doc, out / f"{stem}.json")
    (out / "summary.json").write_text('{"ok": 4}\n', "utf-8")  # another tool's JSON: not a document
    return out


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("archive")
    out = build(folder)
    db = folder / "archive.sqlite"
    report = build_index(out, db)
    assert (report.added, report.updated, report.removed, report.failed) == (4, 0, 0, [])
    return out, db


def keys(hits: list[Hit]) -> list[tuple[str, str, str]]:
    return [(h.document, h.section, h.kind) for h in hits]


def matched(hit: Hit) -> list[str]:
    return [hit.snippet[a:b] for a, b in hit.highlights]


# --------------------------------------------------------------------------- folding


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Đảng ủy", "Dang uy"),
        ("đ Đ", "d D"),
        ("Ðảng", "Dang"),  # Ð (eth), as legacy fonts and OCR give it
        ("người ƯỚC lượng Ơn", "nguoi UOC luong On"),
        ("nghiệm thuế Lễ hội Tuyển dụng", "nghiem thue Le hoi Tuyen dung"),
        ("ặ ẫ ế ộ ờ ữ ỹ Ặ Ỹ", "a a e o o u y A Y"),
        (unicodedata.normalize("NFD", "chuyển đổi số"), "chuyen doi so"),
    ],
)
def test_fold_aligned(text: str, folded: str) -> None:
    assert fold_aligned(nfc(text)) == folded
    assert fold_aligned(nfc(text)).lower() == fold(nfc(text)).replace("Ð", "D").lower()


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_fold_keeps_every_offset(text: str) -> None:
    clean = display_text(text)
    assert len(fold_aligned(clean)) == len(clean)


# --------------------------------------------------------------------------- accent- and đ-insensitive search


def test_same_passages_with_or_without_marks(archive) -> None:
    _, db = archive
    variants = ["chuyen doi so", "chuyển đổi số", "CHUYEN DOI SO", "Chuyển Đổi Số",
                unicodedata.normalize("NFD", "chuyển đổi số")]
    found = [sorted(keys(search(db, q, limit=50))) for q in variants]
    assert found[0] and all(f == found[0] for f in found)
    docs = {d for d, _, _ in found[0]}
    assert {"bc-tanhoa.json", "qd-hoaphuoc.json", "kh-dongthanh.json"} <= docs
    hit = next(h for h in search(db, "chuyen doi so") if h.document == "bc-tanhoa.json" and h.section == "II > 1")
    assert "chuyển đổi số" in hit.snippet  # the snippet is the original accented text
    assert [fold(m).lower() for m in matched(hit)] == ["chuyen", "doi", "so"]


@pytest.mark.parametrize("query", ["dang uy", "ĐẢNG ỦY", "Đảng ủy", "Ðảng ủy", "DANG Uy"])
def test_d_insensitive(archive, query: str) -> None:
    _, db = archive
    hits = search(db, query)
    assert hits and hits[0].document == "bc-tanhoa.json" and hits[0].kind == "preamble"
    assert matched(hits[0])[:2] == ["Đảng", "ủy"]


@pytest.mark.parametrize("query, expected", [
    ("nguoi dan", "người dân"),  # ư, ơ
    ("uoc luong OR thuong truc OR tiep tuc", "Tiếp tục"),  # multi-mark vowels
    ("ha tang", "Hạ tầng"),
])
def test_vowels_with_horns_and_several_marks(archive, query: str, expected: str) -> None:
    _, db = archive
    hits = search(db, query, limit=50)
    assert any(expected.lower() in (h.snippet + " " + h.section_title).lower() for h in hits), keys(hits)


def test_decomposed_document_and_query(archive) -> None:
    _, db = archive
    for query in ["tiep cong dan", unicodedata.normalize("NFD", "tiếp công dân")]:
        hits = search(db, query)
        assert [h.document for h in hits] == ["ghi-chu/lich.json"]
        assert unicodedata.is_normalized("NFC", hits[0].snippet) and "tiếp công dân" in hits[0].snippet
        assert hits[0].section == "" and hits[0].page == 1


# --------------------------------------------------------------------------- ranking


def test_exact_marks_rank_first(archive) -> None:
    _, db = archive
    dong = search(db, "dong", limit=100)
    assert dong[0].document == "kh-dongthanh.json" and dong[0].section == "I"  # dòng ×3 + đóng: bm25's favourite
    hits = search(db, "đồng", limit=100)
    assert sorted(keys(hits)) == sorted(keys(dong))  # the same rows, in another order
    flags = [h.exact for h in hits]
    assert flags == sorted(flags, reverse=True), "exact-mark hits come first"
    exact = [h for h in hits if h.exact]
    assert exact and all("đồng" in (h.snippet + h.section_title).lower() for h in exact)
    assert all(m.lower() == "đồng" for h in exact for m in matched(h))  # not động, Đông
    assert not any(h.exact for h in hits if (h.document, h.section) == ("kh-dongthanh.json", "I"))
    # and the other way round: dòng first, đồng after
    dong_grave = search(db, "dòng", limit=100)
    assert (dong_grave[0].document, dong_grave[0].section, dong_grave[0].exact) == ("kh-dongthanh.json", "I", True)
    assert matched(dong_grave[0]) == ["dòng", "dòng", "dòng"]


def test_unmarked_words_of_a_marked_query_match_any_marks(archive) -> None:
    _, db = archive
    hits = search(db, "chuyển doi so", limit=50)
    assert hits and hits[0].exact
    assert sorted(keys(hits)) == sorted(keys(search(db, "chuyen doi so", limit=50)))


def test_bm25_scores_are_ordered(archive) -> None:
    _, db = archive
    hits = search(db, "ky thuat OR truc tuyen OR ho so", limit=50)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


# --------------------------------------------------------------------------- phrases, prefixes, exclusions


def test_phrase_query(archive) -> None:
    _, db = archive
    words = keys(search(db, "chuyen doi so", limit=50))
    phrase = keys(search(db, '"chuyen doi so"', limit=50))
    assert ("kh-dongthanh.json", "II > 1", "section") in words  # chuyển giao … đổi mới … số liệu
    assert ("kh-dongthanh.json", "II > 1", "section") not in phrase
    assert phrase and set(phrase) < set(words)
    hit = search(db, '"dịch vụ công trực tuyến"', {"type": "QĐ"})[0]
    assert hit.section == "Điều 2" and matched(hit) == ["dịch vụ công trực tuyến"]


def test_prefix_query(archive) -> None:
    _, db = archive
    hits = search(db, "chuy*", limit=50)
    words = {fold(m).lower() for h in hits for m in matched(h)}
    assert {"chuyen"} <= words and all(w.startswith("chuy") for w in words)
    assert ("kh-dongthanh.json", "II > 1", "section") in keys(hits)
    hits = search(db, "truc tuy*", limit=50)
    assert {("bc-tanhoa.json", "I > 2"), ("qd-hoaphuoc.json", "Điều 2")} <= {(h.document, h.section) for h in hits}
    assert search(db, '"thanh toan khong dung tien"*')[0].section == "II > 2"


def test_exclusion_and_or(archive) -> None:
    _, db = archive
    both = {h.document for h in search(db, "cong dong", limit=50)}
    assert {"kh-dongthanh.json", "qd-hoaphuoc.json"} <= both
    assert "qd-hoaphuoc.json" not in {h.document for h in search(db, "cong dong -hoa -phuoc", limit=50)}
    either = {h.document for h in search(db, "vien thong OR kenh muong", limit=50)}
    assert {"bc-tanhoa.json", "kh-dongthanh.json"} <= either
    with pytest.raises(SearchError, match="no word"):
        search(db, "-hoa")
    with pytest.raises(SearchError):
        search(db, '  " " * -  ')
    assert search(db, 'AND OR NOT "( NEAR ) : {x}" 57-NQ/TW') == []  # FTS5 syntax is never passed through


# --------------------------------------------------------------------------- what a hit says, filters


def test_hit_names_section_page_and_document(archive) -> None:
    out, db = archive
    hit = search(db, "vien thong")[0]
    assert (hit.document, hit.doc_id, hit.section, hit.section_title) == ("bc-tanhoa.json", "bc-tanhoa", "I > 1 > 1.1", "Mạng viễn thông")
    assert (hit.number, hit.type_code, hit.doc_type, hit.date) == ("41/BC-UBND", "BC", "BÁO CÁO", "2025-06-12")
    assert "TÂN HÒA" in hit.issuer and hit.page == 1 and hit.json_path == out.resolve() / "bc-tanhoa.json"
    later = search(db, "tien mat")[0]
    assert (later.section, later.page) == ("II > 2", 2)  # after the form feed: page 2
    assert "<mark>" in later.snippet_html() and later.to_dict()["where"] == "II > 2"
    json.dumps(later.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("filters, docs", [
    ({"type": "BC"}, {"bc-tanhoa.json"}),
    ({"type": "báo cáo"}, {"bc-tanhoa.json"}),
    ({"type": "QĐ"}, {"qd-hoaphuoc.json"}),
    ({"type": "qd"}, {"qd-hoaphuoc.json"}),
    ({"date_from": "2025-01-01"}, {"bc-tanhoa.json", "qd-hoaphuoc.json"}),
    ({"from": "2025-01-01", "to": "2025-03-31"}, {"qd-hoaphuoc.json"}),
    ({"from": "2024", "to": "2024"}, {"kh-dongthanh.json"}),
    ({"to": "2025-02"}, {"kh-dongthanh.json", "qd-hoaphuoc.json"}),
    ({"issuer": "tan hoa"}, {"bc-tanhoa.json"}),
    ({"issuer": "Đông Thành"}, {"kh-dongthanh.json"}),
    ({"issuer": "PHU BINH"}, {"bc-tanhoa.json"}),  # the parent body's line
    ({"type": "KH", "issuer": "tan hoa"}, set()),
])
def test_filters(archive, filters: dict, docs: set[str]) -> None:
    _, db = archive
    assert {h.document for h in search(db, "uy ban", filters, limit=100)} == docs
    typed = SearchFilters.coerce(filters)
    assert {h.document for h in search(db, "uy ban", typed, limit=100)} == docs


def test_bad_filters_and_missing_index(tmp_path, archive) -> None:
    _, db = archive
    with pytest.raises(SearchError, match="not a date"):
        search(db, "uy ban", {"from": "12/6/2025"})
    with pytest.raises(SearchError, match="unknown filter"):
        search(db, "uy ban", {"colour": "red"})
    with pytest.raises(SearchError, match="vnocr index"):
        search(tmp_path / "nothing.sqlite", "uy ban")


def test_limit_offset_and_open_connection(archive) -> None:
    _, db = archive
    everything = search(db, "xa", limit=100)
    conn = sqlite3.connect(db)
    try:
        pages = search(conn, "xa", limit=3) + search(conn, "xa", limit=3, offset=3)
    finally:
        conn.close()
    assert keys(pages) == keys(everything[:6])


# --------------------------------------------------------------------------- incremental index


def test_reindex_after_clerk_correction_and_removal(tmp_path) -> None:
    out = build(tmp_path)
    db = tmp_path / "index" / "archive.sqlite"
    first = build_index(out, db)
    assert (first.added, first.unchanged) == (4, 0) and first.sections > 20
    again = build_index(out, db)
    assert (again.added, again.updated, again.removed, again.unchanged, again.sections) == (0, 0, 0, 4, 0)
    assert [h.document for h in search(db, '"ben do"')] == ["bc-tanhoa.json"]
    touched = out / "qd-hoaphuoc.json"  # rewritten, same content: read and hashed, not reindexed
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    same = build_index(out, db)
    assert (same.updated, same.unchanged, same.sections) == (0, 4, 0)

    # a clerk corrects one word as the review app saves it: set_text, version + 1, structure, atomic write
    path = out / "bc-tanhoa.json"
    doc = read_json(path)
    word = next(w for w in doc.words() if w.text == "Bến")
    word.set_text("Bãi", "clerk", who="lan", when="2025-07-01T09:00:00+00:00")
    doc.version += 1
    write_document(structure_document(doc), path)

    update = build_index(out, db)
    assert (update.added, update.updated, update.removed, update.unchanged) == (0, 1, 0, 3)
    assert search(db, '"ben do"') == []
    hits = search(db, "bai do")
    assert [(h.document, h.section, h.version) for h in hits] == [("bc-tanhoa.json", "I > 1 > 1.1", 2)]
    assert "thôn Bãi Đò" in hits[0].snippet
    assert search(db, "bãi đò")[0].exact

    # documents removed from OUT leave the index
    path = out / "kh-dongthanh.json"
    path.unlink()
    path.with_suffix(".txt").unlink()
    gone = build_index(out, db)
    assert (gone.removed, gone.unchanged) == (1, 3)
    assert search(db, "kenh muong") == []
    assert stats(db)["documents"] == 3
    conn = sqlite3.connect(db)
    try:  # no orphan rows
        assert conn.execute("SELECT count(*) FROM fts").fetchone()[0] == conn.execute("SELECT count(*) FROM sections").fetchone()[0]
    finally:
        conn.close()


def test_unreadable_document_keeps_its_old_entry(tmp_path) -> None:
    out = build(tmp_path, {"bc-tanhoa": BC})
    db = tmp_path / "a.sqlite"
    build_index(out, db)
    (out / "bc-tanhoa.json").write_text('{"schema": "https://vnocr.invalid/schema/document-1.json", "pages": [', "utf-8")
    report = build_index(out, db)
    assert [rel for rel, _ in report.failed] == ["bc-tanhoa.json"] and report.removed == 0
    assert search(db, "vien thong")


def test_documents_with_paragraphs_only(tmp_path) -> None:
    """Older JSONs, or a structure stage that found nothing: rows come from the lines, still searchable."""
    out = build(tmp_path, {"bc-tanhoa": BC})
    path = out / "bc-tanhoa.json"
    data = json.loads(path.read_text("utf-8"))
    data["structure"] = {"paragraphs": ["whatever"]}
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    db = tmp_path / "a.sqlite"
    build_index(out, db)
    hit = search(db, "vien thong")[0]
    assert (hit.document, hit.section, hit.kind, hit.number, hit.date, hit.page) == ("bc-tanhoa.json", "", "text", None, None, 1)
    assert "Mạng viễn thông" in hit.snippet
    assert search(db, "tien mat")[0].page == 2
    assert search(db, "vien thong", {"type": "BC"}) == []  # no type known: a type filter leaves it out


# --------------------------------------------------------------------------- command line


def vnocr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_index_and_search(tmp_path) -> None:
    out = build(tmp_path)
    db = tmp_path / "archive.sqlite"
    result = vnocr("index", str(out), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "4 added, 0 updated, 0 removed, 0 unchanged" in result.stderr
    result = vnocr("search", "--db", str(db), "chuyen", "doi", "so", "--type", "BC", "--from", "2025-01-01", "--json", "--limit", "3")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    assert 0 < len(hits) <= 3 and {h["document"] for h in hits} == {"bc-tanhoa.json"}
    assert all(h["number"] == "41/BC-UBND" and h["date"] == "2025-06-12" for h in hits)
    result = vnocr("search", "--db", str(db), "Đảng ủy", "--issuer", "tan hoa")
    assert result.returncode == 0 and "[Đảng] [ủy]" in result.stdout and "41/BC-UBND" in result.stdout
    result = vnocr("search", "--db", str(tmp_path / "missing.sqlite"), "x")
    assert result.returncode == 2 and "vnocr index" in result.stderr
    shutil.rmtree(out / "ghi-chu")
    result = vnocr("index", str(out), "--db", str(db))
    assert "0 added, 0 updated, 1 removed, 3 unchanged" in result.stderr


def test_section_numbers_and_headings_are_searchable(archive) -> None:
    _, db = archive
    hit = search(db, '"dieu 2"', {"type": "QĐ"})[0]
    assert (hit.section, hit.where) == ("Điều 2", "Điều 2") and not hit.section_title.startswith("Điều")
    hit = search(db, '"1.2" du lieu')[0]
    assert (hit.document, hit.section, hit.section_title) == ("bc-tanhoa.json", "I > 1 > 1.2", "Dữ liệu dân cư")
    assert [hit.section_title[a:b] for a, b in hit.title_highlights] == ["Dữ", "liệu"]
    recipients = search(db, "noi nhan", {"issuer": "tan hoa"})
    assert [(h.kind, h.where) for h in recipients] == [("recipients", "nơi nhận")]
    assert recipients[0].snippet.startswith("UBND huyện Phú Bình; Lưu: VT")
