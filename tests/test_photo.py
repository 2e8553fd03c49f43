"""A phone photo of a page: the sheet is found on the desk and straightened before it is read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from pipeline.image import analysis, tesseract

from .conftest import HEADER, REAL_PAGE, draw_page, load_valid_json

BODY = [(300, 900 + 90 * i, text, False) for i, text in enumerate([
    "Ủy ban nhân dân phường báo cáo kết quả thực hiện nhiệm vụ",
    "chuyển đổi số và cải cách hành chính trong quý III năm 2025.",
    "Người dân được hướng dẫn sử dụng dịch vụ công trực tuyến.",
    "Đảng ủy phường chỉ đạo đẩy mạnh công tác tuyên truyền.",
])]


def photo_of(page: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page (grey) photographed at an angle on a dark desk, lit unevenly; and where its corners went."""
    h, w = page.shape
    corners = np.float32([(260, 100), (1560, 150), (1620, 2110), (200, 2050)])  # about A4: 1.41 high for 1 wide
    matrix = cv2.getPerspectiveTransform(np.float32([(0, 0), (w, 0), (w, h), (0, h)]), corners)
    desk = np.full((2300, 1850), 60, np.uint8)
    photo = cv2.warpPerspective(page, matrix, (1850, 2300), borderMode=cv2.BORDER_TRANSPARENT, dst=desk)
    light = np.linspace(0.7, 1.0, 1850)[None, :]
    return (photo * light).astype(np.uint8), corners


def test_the_sheet_is_found_in_a_photo_and_not_in_a_scan() -> None:
    page = np.asarray(draw_page(HEADER + BODY).convert("L"))
    photo, corners = photo_of(page)
    found = analysis.page_outline(photo)
    assert found is not None and np.abs(found - corners).max() < 25
    straight = analysis.straighten(photo, found)
    assert abs(straight.shape[0] / straight.shape[1] - page.shape[0] / page.shape[1]) < 0.06
    assert analysis.page_outline(page) is None  # a scan is the page itself
    assert analysis.page_outline(np.full((500, 400), 255, np.uint8)) is None


def test_a_photo_s_sheet_gives_its_resolution_where_the_letters_measure_too_tall() -> None:
    """The real fixture page photographed small (its sheet about 85 dpi), softened as a camera does: its
    letters measure as at 137 dpi, which would leave it as it is; the straightened A4 sheet says 85, so
    the page is enlarged before Tesseract reads it. A page that is no photo's sheet still goes by its letters."""
    from pdf2image import convert_from_path

    page = np.asarray(convert_from_path(str(REAL_PAGE), dpi=300)[0].convert("L"))
    h, w = page.shape
    corners = np.float32([(130, 50), (780, 75), (810, 1055), (100, 1025)])  # photo_of's, at half the size
    matrix = cv2.getPerspectiveTransform(np.float32([(0, 0), (w, 0), (w, h), (0, h)]), corners)
    photo = cv2.warpPerspective(page, matrix, (925, 1150), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_TRANSPARENT,
                                dst=np.full((1150, 925), 60, np.uint8))
    photo = cv2.GaussianBlur(photo, (3, 3), 0)
    outline = analysis.page_outline(photo)
    straight = analysis.straighten(photo, outline)
    found = analysis.analyze(straight, None, outline).resolution
    assert (found.source, found.paper) == ("paper", "A4") and abs(found.dpi - 85) <= 5, found
    assert found.text_dpi > 1.5 * found.dpi
    assert analysis.estimate_resolution(straight, None).source == "text"


def test_a_photo_is_straightened_and_read(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    photo, _ = photo_of(np.asarray(draw_page(HEADER + BODY).convert("L")))
    cv2.imwrite(str(src / "anh-chup.jpg"), photo, [cv2.IMWRITE_JPEG_QUALITY, 85])
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "process", str(src), "-o", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    page = load_valid_json(out / "anh-chup.json")["pages"][0]
    info = page["preprocess"]
    assert info["kind"] == "photo" and len(info["outline"]) == 4 and info["light_evened"]
    assert set(info["thresholds"]) == {"local", "global"} and sum(info["thresholds"].values()) > 5  # lines read each way
    assert info["resolution"]["metadata"] is None
    assert page["height"] > page["width"]  # the straightened sheet, not the photo
    text = (out / "anh-chup.txt").read_text("utf-8")
    for expected in ("ỦY BAN NHÂN DÂN", "dịch vụ công trực tuyến", "Đảng ủy phường chỉ đạo"):
        assert expected in text


def test_even_light_takes_the_shadow_and_keeps_the_print() -> None:
    from pipeline.image.preprocess import even_light

    page = np.asarray(draw_page(HEADER + BODY).convert("L")).astype(np.float32)
    shadow = np.linspace(0.55, 1.0, page.shape[1])[None, :]
    lit = (page * shadow).astype(np.uint8)
    evened = even_light(lit)
    paper, ink = page > 200, page < 60
    assert lit[paper].std() > 25 and evened[paper].std() < 8  # the fall-off of the light is gone
    assert np.median(evened[ink]) < 90  # the letters stay dark


def test_a_photo_s_page_keeps_each_line_as_tesseract_read_it_best() -> None:
    """Where lines of the two readings cover the same print, the lines with more net letters (more letters
    Tesseract expects right than wrong) stand there, under the local line's key; a line only the global
    reading found is added when it holds any (not a speck); the line counts say which is which."""
    def word(text: str, conf: float, x: int, y: int, key: tuple[int, int, int]) -> tesseract.OcrWord:
        return tesseract.OcrWord(text, conf, (x, y, x + 80, y + 30), key)

    local = [word("Ủy", 0.95, 0, 0, (1, 1, 1)), word("ban", 0.95, 100, 0, (1, 1, 1)),
             word("nhẵn", 0.40, 0, 50, (1, 1, 2)), word("dấn", 0.40, 100, 50, (1, 1, 2))]
    otsu = [word("Ủy", 0.90, 0, 2, (1, 1, 1)), word("bán", 0.50, 100, 2, (1, 1, 1)),
            word("nhân", 0.93, 2, 50, (2, 1, 1)), word("dân", 0.93, 102, 50, (2, 1, 1)),
            word("Nơi", 0.95, 0, 400, (3, 1, 1)), word("~", 0.2, 0, 600, (4, 1, 1))]
    words, counts = tesseract.merge_lines(local, otsu)
    assert [w.text for w in words] == ["Ủy", "ban", "nhân", "dân", "Nơi"]
    assert words[2].key == words[3].key != words[0].key and words[2].key[:2] == (1, 1)
    assert words[4].key[0] != words[0].key[0]  # a line only the global reading found: a block of its own
    assert counts == {"local": 1, "global": 2}
    assert tesseract.merge_lines(local, []) == (local, {"local": 2, "global": 0})
    assert tesseract.net_letters([]) == 0.0
    assert tesseract.net_letters([word("ab", 1.0, 0, 0, (1, 1, 1)), word("abcd", 0.25, 0, 0, (1, 1, 1))]) == 0.0
    partial = [word("Ủy", 0.97, 0, 0, (4, 1, 1))]  # surer of what it read, but half the line is lost
    assert [w.text for w in tesseract.merge_lines(local[:2], partial)[0]] == ["Ủy", "ban"]


def test_a_grey_page_is_read_with_both_thresholds_a_black_and_white_one_once() -> None:
    from pipeline.image.preprocess import even_light

    photo, corners = photo_of(np.asarray(draw_page(HEADER + BODY).convert("L")))
    sheet = even_light(analysis.straighten(photo, corners))
    readings = [tesseract.run_tesseract(sheet, "vie", 3, 150, local_threshold=True), tesseract.run_tesseract(sheet, "vie", 3, 150)]
    words, counts = tesseract.read_page(sheet, "vie", 3, 150, both_ways=True)
    assert sum(counts.values()) == len({w.key for w in words})
    read = {(w.text, w.box) for reading in readings for w in reading}
    assert all((w.text, w.box) in read for w in words)  # every word one of the two readings'
    assert "Đảng ủy phường chỉ đạo" in " ".join(w.text for w in words)
    assert tesseract.read_page(sheet, "vie", 3, 150)[1] is None  # a page at its scanner's resolution, a 1-bit scan: once
    binary = np.where(sheet > 128, 255, 0).astype(np.uint8)
    words, counts = tesseract.read_page(binary, "vie", 3, 150, both_ways=True)
    assert counts is None and "Đảng ủy phường chỉ đạo" in " ".join(w.text for w in words)


def test_photos_and_small_pages_enlarged_are_read_both_ways_not_pages_at_their_scanner_s_resolution() -> None:
    from pipeline.image.preprocess import Prepared

    page = np.zeros((2, 2), np.uint8)

    def both_ways(**info: object) -> bool:
        return Prepared(page, page, info, 300).read_both_ways

    assert both_ways(kind="photo", light_evened=True) and both_ways(kind="colour", scale=1.5)
    assert not both_ways(kind="grey") and not both_ways(kind="1-bit", scale=2.083)  # --preprocess none; a 1-bit fax
