"""Page analysis on rendered pages: the true resolution of a page whose file states a wrong one or none,
red seals found and dropped out of what Tesseract reads, the preprocessing steps chosen per page;
and the same through `vnocr process` (real files, real Tesseract)."""

from __future__ import annotations

import re
import subprocess
import sys

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from pipeline.image import analysis, ocr, preprocess, raster, tesseract
from pipeline.image.analysis import PageAnalysis, Resolution
from pipeline.settings import DEFAULT_STEPS

from .conftest import FONT_DIR, HEADER, draw_page, load_valid_json

BODY = [
    "Thực hiện chỉ đạo của Ủy ban nhân dân thành phố về công tác cải cách",
    "hành chính, phường đã triển khai kế hoạch đến các khu phố và tổ dân phố.",
    "Kết quả giải quyết hồ sơ thủ tục hành chính đúng hạn đạt tỷ lệ cao,",
    "người dân hài lòng với thái độ phục vụ của cán bộ tiếp nhận hồ sơ.",
    "Công tác tuyên truyền được thực hiện thường xuyên trên hệ thống loa",
    "truyền thanh, bảng tin khu phố và trang thông tin điện tử của phường.",
    "Trong kỳ, phường tổ chức kiểm tra việc chấp hành pháp luật về đất đai,",
    "xây dựng, môi trường và trật tự đô thị tại mười hai khu dân cư.",
    "Qua kiểm tra đã phát hiện và nhắc nhở bảy trường hợp lấn chiếm vỉa hè,",
    "lập biên bản xử lý vi phạm hành chính đối với hai cơ sở kinh doanh.",
    "Công tác chăm lo cho gia đình chính sách được quan tâm thực hiện tốt;",
    "phường đã trao quà cho các hộ nghèo, hộ cận nghèo nhân dịp đầu năm.",
    "Hoạt động văn hóa, thể dục thể thao diễn ra sôi nổi ở các khu phố,",
    "thu hút đông đảo đoàn viên thanh niên và người cao tuổi tham gia.",
    "Tình hình an ninh chính trị, trật tự an toàn xã hội được giữ vững;",
    "lực lượng công an phường phối hợp tuần tra vào ban đêm và ngày lễ.",
    "Công tác phòng, chống dịch bệnh được triển khai theo hướng dẫn của",
    "trung tâm y tế quận, không để xảy ra ổ dịch trên địa bàn phường.",
    "Việc thu ngân sách nhà nước đạt chín mươi hai phần trăm dự toán năm;",
    "chi ngân sách bảo đảm đúng quy định, tiết kiệm và có hiệu quả.",
    "Chương trình chuyển đổi số được đẩy mạnh, hồ sơ trực tuyến tăng nhanh,",
    "cán bộ một cửa hướng dẫn người dân nộp hồ sơ qua cổng dịch vụ công.",
    "Tuy nhiên, một số khu phố còn chậm báo cáo số liệu về ủy ban phường,",
    "việc phân loại rác tại nguồn chưa được người dân thực hiện đồng bộ.",
    "Trong thời gian tới, phường tập trung chỉ đạo hoàn thành các chỉ tiêu",
    "kinh tế, xã hội, quốc phòng, an ninh đã đề ra cho năm hai nghìn",
    "không trăm hai mươi lăm; tăng cường kiểm tra, giám sát cơ sở; kịp thời",
    "giải quyết kiến nghị của cử tri và phản ánh của người dân địa phương.",
    "Ủy ban nhân dân phường báo cáo để Ủy ban nhân dân quận được biết,",
    "theo dõi và chỉ đạo việc thực hiện trong những tháng tiếp theo./.",
]
BODY_TOP, LINE_STEP = 950, 75
A4_72 = (595, 842)  # A4 at 72 dpi


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def recall(expected: list[str], read: str) -> float:
    """Share of the expected words found in what was read (as a multiset, in any order)."""
    pool = words_of(read)
    hits = 0
    for word in expected:
        if word in pool:
            pool.remove(word)
            hits += 1
    return hits / len(expected)


@pytest.fixture(scope="module")
def page300() -> Image.Image:
    """A full A4 page at 300 dpi: the header and thirty lines of body text."""
    lines = list(HEADER) + [(350, BODY_TOP + LINE_STEP * i, text, False) for i, text in enumerate(BODY)]
    return draw_page(lines)


@pytest.fixture(scope="module")
def page72(page300) -> Image.Image:
    """The same page scaled down to 72 dpi, as a careless scan or a web export gives it."""
    return page300.resize(A4_72, Image.LANCZOS)


# --------------------------------------------------------------------------- a seal over the text

SEAL_CENTRE, SEAL_RADIUS, SEAL_STROKE = (1500, 1180), 230, 22
RED = (215, 25, 30)


def seal_page() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A colour page of black text with a red ring seal stamped over part of the body (seal ink darkens
    the paper: multiply, so black print under it stays black); the masks of the seal's full-strength
    pixels and of the print's."""
    lines = list(HEADER) + [(350, BODY_TOP + LINE_STEP * i, text, False) for i, text in enumerate(BODY[:8])]
    page = np.asarray(draw_page(lines).convert("RGB"))
    stamp = np.full_like(page, 255)
    cv2.circle(stamp, SEAL_CENTRE, SEAL_RADIUS, RED, SEAL_STROKE)
    stamp_image = Image.fromarray(stamp)
    draw = ImageDraw.Draw(stamp_image)
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSans-Bold.ttf"), 40)
    cx, cy = SEAL_CENTRE
    draw.text((cx, cy - 25), "ỦY BAN", font=font, fill=RED, anchor="mm")
    draw.text((cx, cy + 25), "NHÂN DÂN", font=font, fill=RED, anchor="mm")
    stamp = np.asarray(stamp_image)
    return np.minimum(page, stamp), (stamp == RED).all(axis=2), (page != 255).any(axis=2)


def seal_bbox() -> tuple[int, int, int, int]:
    (cx, cy), outer = SEAL_CENTRE, SEAL_RADIUS + SEAL_STROKE // 2
    return cx - outer, cy - outer, cx + outer, cy + outer


def words_under_seal() -> list[str]:
    """The body words whose boxes meet the seal's box (those the seal covers or surrounds)."""
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), 56)
    x0, y0, x1, y1 = seal_bbox()
    covered = []
    for i, text in enumerate(BODY[:8]):
        top = BODY_TOP + LINE_STEP * i
        if top + 56 < y0 or top > y1:
            continue
        x = 350.0
        for word in text.split():
            end = x + font.getlength(word)
            if end > x0 and x < x1:
                covered.extend(words_of(word))
            x = end + font.getlength(" ")
    return covered


def close_box(found, want, tolerance: int = 20) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(found, want, strict=True))


# --------------------------------------------------------------------------- one `vnocr process` run


def bilevel_page() -> Image.Image:
    """A 1-bit page (a fax or a black-and-white scan) with scanner specks in its empty lower half."""
    page = draw_page(HEADER).point(lambda v: 255 if v > 128 else 0)
    pixels = np.asarray(page).copy()
    rng = np.random.default_rng(7)
    ys, xs = rng.integers(1400, 3400, 600), rng.integers(100, 2380, 600)
    pixels[ys, xs] = 0
    return Image.fromarray(pixels).convert("1")


@pytest.fixture(scope="module")
def processed(tmp_path_factory, page300, page72):
    """`vnocr process` over one folder: the 72-dpi page saved without a resolution and stating a wrong
    one, the 300-dpi page, the page with a seal, and a 1-bit page."""
    src = tmp_path_factory.mktemp("analysis-in")
    page72.save(src / "nodpi.png")
    page72.convert("RGB").save(src / "wrong.jpg", quality=90, dpi=(300, 300))
    page300.save(src / "true300.png", dpi=(300, 300))
    Image.fromarray(seal_page()[0]).save(src / "seal.png", dpi=(300, 300))
    bilevel_page().save(src / "bilevel.png", dpi=(300, 300))
    out = tmp_path_factory.mktemp("analysis-out")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "process", str(src), "-o", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    return out, result, src


def test_process_run_succeeds(processed) -> None:
    out, result, _ = processed
    assert result.returncode == 0, result.stderr
    assert "5 ok, 0 failed" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- true resolution


@pytest.mark.parametrize("name, stated", [("nodpi.png", None), ("wrong.jpg", 300)])
def test_resolution_of_a_72_dpi_page_with_missing_or_wrong_dpi(processed, name: str, stated: int | None) -> None:
    _, _, src = processed
    (page,) = raster.image_pages(src / name)
    assert page.stated is (stated is not None) and (page.dpi == stated if stated else True)
    pixels = np.asarray(page.image, dtype=np.uint8)
    found = analysis.analyze(pixels, page.dpi if page.stated else None)
    assert abs(found.resolution.dpi - 72) <= 0.15 * 72, found.resolution
    assert found.resolution.source != "metadata"
    assert found.resolution.metadata == stated
    assert found.resolution.paper == "A4"
    # the letters alone (no paper size: the page cropped) give it too
    assert found.resolution.text_dpi is not None and abs(found.resolution.text_dpi - 72) <= 0.2 * 72
    direct = analysis.estimate_resolution(np.asarray(page.image.convert("L")), stated)
    assert abs(direct.dpi - 72) <= 0.15 * 72


@pytest.mark.parametrize("stem, stated", [("nodpi", None), ("wrong", 300)])
def test_process_enlarges_a_72_dpi_page_and_reads_it(processed, stem: str, stated: int | None) -> None:
    out, _, _ = processed
    data = load_valid_json(out / f"{stem}.json")
    page = data["pages"][0]
    info = page["preprocess"]
    assert abs(info["resolution"]["dpi"] - 72) <= 0.15 * 72, info
    assert info["resolution"]["metadata"] == stated
    assert info["resolution"]["source"] in ("paper", "text")
    assert info["scale"] > 1 and abs(info["scale"] - analysis.UPSCALE_TO_DPI / info["resolution"]["dpi"]) < 0.01
    assert abs(page["width"] - A4_72[0] * info["scale"]) <= 2 and abs(page["height"] - A4_72[1] * info["scale"]) <= 2
    assert page["dpi"] == analysis.UPSCALE_TO_DPI
    assert "denoise" not in info["steps"] and "binarize" not in info["steps"]
    assert set(info["skipped"]) == {"denoise", "binarize"}
    assert all("below 250" in reason for reason in info["skipped"].values())
    text = (out / f"{stem}.txt").read_text("utf-8")
    assert recall(words_of(" ".join(BODY)), text) >= 0.9, text
    for expected in ["Số: 125/BC-UBND", "BÁO CÁO", "chuyển đổi số"]:
        assert expected in text, text
    assert data["structure"]["date"] == "2025-03-14"
    # the word boxes fit the enlarged page image that is kept
    image = Image.open(out / page["image"])
    assert image.size == (page["width"], page["height"])
    boxes = [w["bbox"] for line in page["lines"] for w in line["words"]]
    assert max(b[2] for b in boxes) <= page["width"] and max(b[3] for b in boxes) <= page["height"]
    assert max(b[2] for b in boxes) > A4_72[0]  # the boxes are in the enlarged page's pixels


def test_300_dpi_page_stating_300_keeps_it(processed, page300) -> None:
    pixels = np.asarray(page300)
    stated = analysis.analyze(pixels, 300)
    assert (stated.resolution.dpi, stated.resolution.source) == (300, "metadata")
    assert stated.kind == "grey"
    out, _, _ = processed
    page = load_valid_json(out / "true300.json")["pages"][0]
    assert page["preprocess"]["resolution"]["dpi"] == 300
    assert page["preprocess"]["resolution"]["source"] == "metadata"
    assert "scale" not in page["preprocess"]
    assert page["dpi"] == 300 and (page["width"], page["height"]) == page300.size


def test_300_dpi_page_stating_nothing_or_a_wrong_dpi_is_read_at_300(page300) -> None:
    pixels = np.asarray(page300)
    for metadata in (None, 72, 600):
        res = analysis.estimate_resolution(pixels, metadata)
        assert (res.dpi, res.source, res.paper) == (300, "paper", "A4"), (metadata, res)
        assert abs(res.text_dpi - 300) <= 0.15 * 300


def test_cropped_page_resolution_from_the_letters(page300) -> None:
    """A crop of the body (no paper proportions) scaled to 150 dpi: the letters' height tells it."""
    crop = page300.crop((300, 900, 2300, 3300))
    small = crop.resize((crop.width // 2, crop.height // 2), Image.LANCZOS)
    res = analysis.estimate_resolution(np.asarray(small), None)
    assert res.paper is None and res.source == "text"
    assert abs(res.dpi - 150) <= 0.15 * 150, res
    # a stated resolution the letters confirm is kept
    assert analysis.estimate_resolution(np.asarray(small), 150).source == "metadata"


# --------------------------------------------------------------------------- seals and colour dropout


@pytest.fixture(scope="module")
def sealed() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return seal_page()


def test_seal_is_found_where_it_was_stamped(sealed) -> None:
    pixels, _, _ = sealed
    found = analysis.analyze(pixels, 300)
    assert found.kind == "colour"
    assert len(found.seals) == 1, found.marks
    (seal,) = found.seals
    assert seal["colour"] == "red"
    assert close_box(seal["bbox"], seal_bbox()), (seal["bbox"], seal_bbox())
    # the black page alone has no marks, and is not colour
    grey = analysis.analyze(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY), 300)
    assert grey.kind == "grey" and grey.marks == [] and grey.seals == []


def test_dropout_fades_red_and_keeps_black(sealed) -> None:
    pixels, seal, ink = sealed
    black = ink & (pixels.max(axis=2) < 60)  # the cores of the letters (also where the seal lies over them)
    red_only = seal & ~ink
    dropped = analysis.dropout(pixels)
    luminance = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    assert dropped.shape == luminance.shape and dropped.dtype == np.uint8
    assert red_only.sum() > 10_000
    assert dropped[red_only].min() >= 200  # the seal fades to near white
    assert luminance[red_only].max() < 120  # where plain grey keeps it dark
    assert (black & seal).sum() > 500
    assert dropped[black & seal].max() < 60  # print under the seal stays black
    assert dropped[black & ~seal].max() < 60


def test_tesseract_reads_the_words_under_the_seal_only_after_dropout(sealed) -> None:
    pixels, _, _ = sealed
    covered = words_under_seal()
    assert len(covered) >= 20
    read = {}
    for name, image in (("dropout", analysis.dropout(pixels)), ("grey", cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY))):
        read[name] = " ".join(line.text for line in ocr.page_lines(tesseract.run_tesseract(image), 1))
    assert recall(covered, read["dropout"]) >= 0.9, read["dropout"]
    assert recall(covered, read["grey"]) < recall(covered, read["dropout"]), read["grey"]


def test_process_records_the_seal_and_reads_under_it(processed) -> None:
    out, _, _ = processed
    data = load_valid_json(out / "seal.json")
    page = data["pages"][0]
    assert page["preprocess"]["kind"] == "colour"
    assert len(page["seals"]) == 1, page["seals"]
    assert page["seals"][0]["colour"] == "red"
    assert close_box(page["seals"][0]["bbox"], seal_bbox()), page["seals"]
    text = (out / "seal.txt").read_text("utf-8")
    assert recall(words_under_seal(), text) >= 0.9, text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_kept_page_image_shows_the_seal(processed) -> None:
    """The page image kept for people is not the dropped-out one: the seal is still on it."""
    out, _, _ = processed
    page = load_valid_json(out / "seal.json")["pages"][0]
    kept = np.asarray(Image.open(out / page["image"]).convert("RGB"))
    assert kept.shape[:2] == (page["height"], page["width"])
    _, seal, ink = seal_page()
    ring = seal & ~cv2.dilate(ink.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    luminance = kept[ring] @ np.array([0.299, 0.587, 0.114])
    assert luminance.mean() < 160  # dark (dropout would have made it near white)


def test_kept_page_image_is_still_colour(processed) -> None:
    """The seal keeps its red in the page image kept for review (only Tesseract reads the dropout)."""
    out, _, _ = processed
    page = load_valid_json(out / "seal.json")["pages"][0]
    kept = Image.open(out / page["image"])
    assert kept.mode == "RGB", f"the kept page image is {kept.mode}, not colour"
    rgb = np.asarray(kept).astype(int)
    x0, y0, x1, y1 = seal_bbox()
    region = rgb[y0:y1, x0:x1]
    red = (region[..., 0] > 150) & (region[..., 1] < 100) & (region[..., 2] < 100)
    assert red.sum() > 5000


# --------------------------------------------------------------------------- steps chosen per page


def test_a_speckled_one_bit_page_is_denoised() -> None:
    pixels = np.asarray(bilevel_page().convert("L"))
    found = analysis.analyze(pixels, 300)
    assert found.kind == "1-bit"
    assert found.grain >= preprocess.GRAIN_DENOISE  # specks: the median filter takes them
    chosen, skipped = preprocess.choose_steps(DEFAULT_STEPS, found)
    assert chosen == ["border", "deskew", "denoise", "binarize"] and not skipped
    prepared = preprocess.preprocess(pixels, page=found)
    assert prepared.info["steps"] == chosen and prepared.info["denoised"] and prepared.info["binarized"]
    specks = (pixels[1400:3400] == 0).sum()
    assert (prepared.image[1400:3400] == 0).sum() < specks / 4
    assert set(np.unique(prepared.image)) <= {0, 255}


def test_process_records_one_bit_decisions(processed) -> None:
    out, _, _ = processed
    data = load_valid_json(out / "bilevel.json")
    info = data["pages"][0]["preprocess"]
    assert info["kind"] == "1-bit"
    assert info["steps"] == ["border", "deskew", "denoise", "binarize"] and "skipped" not in info
    assert "Số: 125/BC-UBND" in (out / "bilevel.txt").read_text("utf-8")


@pytest.mark.parametrize("dpi", [72, 100, 200])
def test_low_resolution_skips_both_filters(dpi: int) -> None:
    page = PageAnalysis(Resolution(dpi, "paper"), "grey", grain=0.3)
    chosen, skipped = preprocess.choose_steps(DEFAULT_STEPS, page)
    assert chosen == ["border", "deskew"]
    assert skipped == {name: f"scanned at {dpi} dpi, below 250" for name in ("denoise", "binarize")}
    gray = np.full((842 * dpi // 72, 595 * dpi // 72), 255, np.uint8)
    gray[100:110, 50:300] = 0
    prepared = preprocess.preprocess(gray, page=page)
    if dpi < analysis.UPSCALE_BELOW_DPI:
        scale = analysis.UPSCALE_TO_DPI / dpi
        assert prepared.info["scale"] == round(scale, 3)
        assert prepared.image.shape == (round(gray.shape[0] * scale), round(gray.shape[1] * scale))
        assert prepared.dpi == analysis.UPSCALE_TO_DPI
    else:
        assert "scale" not in prepared.info
        assert prepared.image.shape == gray.shape and prepared.dpi == dpi
    assert prepared.info["resolution"]["dpi"] == dpi and prepared.info["kind"] == "grey"


def test_no_grain_skips_denoise_only() -> None:
    clean = PageAnalysis(Resolution(300, "metadata", metadata=300), "grey", grain=0.0)
    chosen, skipped = preprocess.choose_steps(DEFAULT_STEPS, clean)
    assert chosen == ["border", "deskew", "binarize"]
    assert list(skipped) == ["denoise"] and skipped["denoise"].startswith("no grain")
    grainy = PageAnalysis(Resolution(300, "metadata", metadata=300), "grey", grain=0.3)
    assert preprocess.choose_steps(DEFAULT_STEPS, grainy) == (list(DEFAULT_STEPS), {})
    # steps not asked for are neither chosen nor given a reason
    assert preprocess.choose_steps(("binarize", "deskew"), clean) == (["deskew", "binarize"], {})


def test_grain_is_measured_on_specks_away_from_letters(header_page) -> None:
    pixels = np.asarray(header_page)
    clean = analysis.analyze(pixels, 300).grain
    noisy = pixels.copy()
    rng = np.random.default_rng(3)
    noisy[rng.integers(1400, 3400, 800), rng.integers(100, 2380, 800)] = 0
    assert clean < preprocess.GRAIN_DENOISE <= analysis.analyze(noisy, 300).grain


# --------------------------------------------------------------------------- any image at all


def _array(kind: str, height: int, width: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "blank":
        return np.full((height, width), 255, np.uint8)
    if kind == "black":
        return np.zeros((height, width), np.uint8)
    if kind == "bits":
        return (rng.random((height, width)) > 0.5).astype(np.uint8) * 255
    return rng.integers(0, 256, (height, width), dtype=np.uint8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    height=st.integers(1, 64),
    width=st.integers(1, 64),
    kind=st.sampled_from(["blank", "black", "noise", "bits"]),
    seed=st.integers(0, 2**32 - 1),
    metadata=st.one_of(st.none(), st.integers(72, 1200)),
)
@example(height=4, width=3, kind="blank", seed=0, metadata=None)  # Letter proportions, a third of a pixel per inch
@example(height=5, width=4, kind="noise", seed=1, metadata=300)
def test_resolution_of_any_small_image_is_positive(height: int, width: int, kind: str, seed: int, metadata) -> None:
    gray = _array(kind, height, width, seed)
    res = analysis.estimate_resolution(gray, metadata)
    assert isinstance(res.dpi, int) and res.dpi > 0, res
    assert res.source in ("metadata", "paper", "text", "default")
    found = analysis.analyze(gray, metadata)
    assert found.kind in ("1-bit", "grey") and found.grain >= 0
    prepared = preprocess.preprocess(gray, page=found)  # and the page can be prepared for Tesseract
    assert prepared.dpi > 0 and prepared.image.ndim == 2
