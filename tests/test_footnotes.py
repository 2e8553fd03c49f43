"""Footnotes (layout/footnotes.py): smaller lines at the foot of a page, opened by a mark, recorded apart,
kept in the text where they stand and out of the body's sections."""

from __future__ import annotations

from pipeline.layout.footnotes import page_footnotes
from pipeline.layout.structure import structure_document
from pipeline.model import Document, Line, Page, SourceInfo, Word


def page_of(rows: list[tuple[str, int, str]]) -> Page:
    """One page from (text, width of a letter in pixels, column) rows, one under the other from the top."""
    lines, y = [], 200
    for k, (text, letter, column) in enumerate(rows):
        lid, height = f"p1-l{k}", 50  # heights alike: marks above and below make a line's height
        words, x = [], 300
        for i, t in enumerate(text.split()):
            words.append(Word(f"{lid}-w{i}", t, t, 0.95, 1, lid, (x, y, x + letter * len(t), y + height)))
            x += letter * len(t) + letter
        lines.append(Line(lid, 1, words, (300, y, x, y + height), column=column))
        y += 2 * letter + 20
    return Page(number=1, lines=lines, width=2480, height=3508, dpi=300)


BODY = [
    ("BÁO CÁO", 30, "full"),
    ("Kết quả thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư1", 30, "full"),
    ("I. KẾT QUẢ THỰC HIỆN", 30, "full"),
    ("1. Ban hành văn bản đúng thể thức theo quy định của Nghị định2, đạt tỷ lệ cao.", 30, "full"),
    ("2. Lưu trữ hồ sơ điện tử theo hướng dẫn của Bộ Nội vụ.", 30, "full"),
    ("II. PHƯƠNG HƯỚNG", 30, "full"),
    ("Tiếp tục thực hiện đúng quy định trong năm 2026.", 30, "full"),
]
NOTES = [
    ("1 Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư.", 22, "full"),
    ("2 Phụ lục I kèm theo Nghị định, thể thức và kỹ thuật trình bày văn bản hành chính, được", 22, "full"),
    ("áp dụng từ ngày ký.", 22, "full"),
]


def test_the_notes_at_the_foot_of_a_page_are_found_and_joined() -> None:
    notes = page_footnotes(page_of(BODY + NOTES).lines)
    assert [(n.mark, n.text[:20], len(n.lines)) for n in notes] == [("1", "Nghị định số 30/2020", 1), ("2", "Phụ lục I kèm theo N", 2)]
    assert notes[1].text.endswith("được áp dụng từ ngày ký.")


def test_a_page_without_smaller_lines_at_its_foot_has_none() -> None:
    assert page_footnotes(page_of(BODY + [(t, 30, c) for t, _, c in NOTES]).lines) == []
    # the recipients' column at the foot of the last page is no footnote, small as it is
    assert page_footnotes(page_of(BODY + [("Nơi nhận:", 22, "left"), ("- Như trên;", 22, "left")]).lines) == []
    # small lines without a mark (a caption, a stamp) are none either
    assert page_footnotes(page_of(BODY + [("Ảnh minh họa buổi làm việc", 22, "full")]).lines) == []


def test_the_structure_records_them_and_the_sections_do_not_take_them() -> None:
    doc = Document(SourceInfo("a.png", "a.png", "0" * 64, "image", 1, 1), [page_of(BODY + NOTES)], {}, {})
    structure_document(doc)
    notes = doc.structure["footnotes"]
    assert [n["mark"] for n in notes] == ["1", "2"] and notes[0]["lines"] == ["p1-l7"]
    sections = doc.structure["body"]["sections"]
    assert [s["number"] for s in sections if s.get("number")][:2] == ["I", "II"]
    assert all("Nghị định số 30/2020/NĐ-CP ngày 05" not in str(s) for s in sections)
    assert doc.text.rstrip().endswith("được áp dụng từ ngày ký.")  # in the text, where they stand
