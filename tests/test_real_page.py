"""A real archive page (tests/data/real/, source in samples/README.md): a 1-bit scan of 2018 with a
vector e-signature box over it, a handwritten number and day, a receipt stamp."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REAL_PAGE, load_valid_json



@pytest.fixture(scope="module")
def read(tmp_path_factory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("real")
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "process", str(REAL_PAGE), "-o", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return load_valid_json(out / f"{REAL_PAGE.stem}.json"), (out / f"{REAL_PAGE.stem}.txt").read_text("utf-8")


def test_the_scan_is_read_as_it_is(read) -> None:
    doc, text = read
    page = doc["pages"][0]
    assert page["preprocess"]["raster"] == "extracted" and page["preprocess"]["kind"] == "1-bit"
    assert page["preprocess"]["resolution"]["source"] == "metadata" and page["dpi"] == 302
    for printed in ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Độc lập - Tự do - Hạnh phúc", "Quảng Ngãi, ngày",
                    "tăng cường công tác thi hành án hành chính", "trên địa bàn tỉnh Quảng Ngãi"):
        assert printed in text


def test_the_vector_e_signature_is_parsed_and_kept_out_of_the_text(read) -> None:
    doc, text = read
    assert doc["pages"][0]["text_layer"]["kind"] == "e-signature"
    (sig,) = doc["structure"]["e_signatures"]
    assert (sig["signer"], sig["email"], sig["time"], sig["source"]) == (
        "Trung tâm Công báo và Tin học", "ttcbth@quangngai.gov.vn", "2018-03-21T16:41:00+07:00", "text-layer")
    assert "ttcbth" not in text and "16:41" not in text


def test_the_handwritten_number_is_read_and_a_day_read_after_the_signing_day_gives_way_to_it(read) -> None:
    doc, _ = read
    s = doc["structure"]
    fields = {f["field"]: f for f in s["fill_ins"]}
    assert set(fields) == {"number", "day"}  # the month, 3, is printed clearly enough
    assert all(f["flag"] and f["bbox"] for f in fields.values())  # handwriting always goes to the clerks
    number_box, day_box = fields["number"]["bbox"], fields["day"]["bbox"]
    assert number_box[0] < 900 < day_box[0] and max(number_box[3], day_box[3]) < 500  # in the header
    # the handwritten 07 read by the digit reader, the printed symbol by Tesseract; the line is not taken for the issuer
    assert fields["number"]["value"] == "07"
    assert (s["number"]["text"], s["number"]["sequence"], s["number"]["type_code"]) == ("07/CT-UBND", "07", "CT")
    assert s["issuer"]["name"] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    # the day, 20, is written over the printed line and not read right: a date after the e-signature's day
    # (21 March) cannot be the document's, so the reader's next reading that fits stands in, or the signing day
    assert s["date"] <= "2018-03-21" and s["date_from"] in ("handwriting", "e-signature")
    assert s["fields"]["date"]["flag"]
    words = {w["id"]: w for line in doc["pages"][0]["lines"] for w in line["words"]}
    assert all(words[f["word"]]["flag"] and words[f["word"]]["fill_in"] == name for name, f in fields.items())


def test_the_receipt_stamp_is_kept_apart_from_the_text(read) -> None:
    """The archive's `CV ĐẾN` stamp, stamped over the subject and the first body line: its words are the
    stamp's, recorded with its box, not the page's text."""
    doc, text = read
    (stamp,) = doc["pages"][0]["stamps"]
    x0, y0, x1, y1 = stamp["bbox"]
    assert x0 < 300 and 500 < y0 < y1 < 1000 and x1 - x0 > y1 - y0  # the left margin, under the title
    assert "Chuyển" in stamp["text"] and "Chuyển" not in text
    assert "TRUNG TÂM CÔNG" not in text
    assert "Về việc tăng cường công tác thi hành án hành chính" in text
    all_words = [w for line in doc["pages"][0]["lines"] for w in line["words"]]
    assert not any(x0 <= (w["bbox"][0] + w["bbox"][2]) / 2 <= x1 and y0 <= (w["bbox"][1] + w["bbox"][3]) / 2 <= y1 for w in all_words)
