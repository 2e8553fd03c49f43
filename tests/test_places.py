"""Place names keep their marks: a known province or city whose letters match but whose marks an OCR slipped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.flow import text_pages
from pipeline.model import Document, SourceInfo, Word
from pipeline.text.places import known_names, restore_document, restore_words


def words(text: str, source: str = "ocr") -> list[Word]:
    return [Word(id=f"w{i}", ocr=t, text=t, conf=0.9, page=1, line="l1", source=source) for i, t in enumerate(text.split())]


def restored(text: str, source: str = "ocr") -> str:
    line = words(text, source)
    restore_words(line)
    return " ".join(w.text for w in line)


def test_an_issuer_and_a_place_get_their_marks_back() -> None:
    assert restored("ỦY BAN NHÂN DÂN TĨNH QUANG NGÀI") == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert restored("Hà Nói, ngày 8 tháng 4 năm 2026") == "Hà Nội, ngày 8 tháng 4 năm 2026"
    assert restored("(Thành phố Đà Nang)") == "(Thành phố Đà Nẵng)"
    assert restored("Tĩnh Quang Ngài") == "Tỉnh Quảng Ngãi"


def test_a_province_read_a_letter_wrong_after_tinh_is_named() -> None:
    """After `TỈNH`, a province's name with a letter misread (`QUANG NGOÀI`) is the one province it is a letter from;
    not where two are (`Ninh Dinh`: Ninh Bình and Bình Định), nor without `tỉnh` before it."""
    assert restored("ỦY BAN NHÂN DÂN TINH QUANG NGOÀI") == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert restored("tỉnh Ninh Dinh") == "tỉnh Ninh Dinh"
    assert restored("xã Quang Ngoài") == "xã Quang Ngoài"


def test_a_province_read_with_broken_marks_after_tinh_is_named() -> None:
    """A 1-bit scan breaks a capital's marks into letters: two letters wrong in ten (`QUÁẢNG NGOÀI`), or a word
    read in two pieces (`QUẢ ÁNG`), whose second piece is left empty. Not a word before the name (`TỈNH ỦY`),
    nor a name two letters from two provinces."""
    assert restored("ỦY BAN NHÂN DÂN TINH QUÁẢNG NGOÀI") == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    line = words("ỦY BAN NHÂN DÂN TĨNH QUẢ ÁNG NGAI")
    restore_words(line)
    assert [w.text for w in line][4:] == ["TỈNH", "QUẢNG", "", "NGÃI"]
    assert restored("TỈNH ỦY QUẢNG NGÃI") == "TỈNH ỦY QUẢNG NGÃI"
    assert restored("tỉnh Quảng Ninh") == "tỉnh Quảng Ninh" and restored("tỉnh Quảng Minh") == "tỉnh Quảng Minh"


def test_a_name_written_right_keeps_its_own_capitals() -> None:
    """Found by the property below: `Ia H'Drai` came back as `Ia H'drai`."""
    assert restored("huyện Ia H'Drai") == "huyện Ia H'Drai"
    assert restored("HUYỆN IA H'DRAI") == "HUYỆN IA H'DRAI"


def test_common_words_a_clerks_fix_and_a_born_digital_layer_are_left_alone() -> None:
    assert restored("vì hòa bình và phát triển") == "vì hòa bình và phát triển"  # not the province Hòa Bình
    assert restored("Quang Ngai", "clerk") == "Quang Ngai"
    assert restored("Quang Ngai", "text-layer") == "Quang Ngai"


NAMES = [" ".join(name) for name in known_names().values()]


@given(st.lists(st.sampled_from(NAMES + ["Số:", "12/BC-UBND", "ngày", "15", "tháng", "năm", "2025", "xã", "phường"]), max_size=12))
def test_text_already_right_is_never_changed(parts: list[str]) -> None:
    """Names written right, numbers and codes around them: nothing moves."""
    text = " ".join(parts)
    assert restored(text) == text


def test_a_signer_whose_surname_slipped_a_mark_gets_it_back() -> None:
    for read, right in [("Nguyên Văn Gấu", "Nguyễn Văn Gấu"), ("Thượng tướng Nguyên Văn Gấu", "Thượng tướng Nguyễn Văn Gấu"),
                        ("Bà Trân Thị Mai", "Bà Trần Thị Mai"), ("Lẽ Văn Hai", "Lê Văn Hai"), ("Đảm Thị Quyên", "Đàm Thị Quyên"),
                        ("Lô Văn Thắm", "Lò Văn Thắm"), ("Phụng Văn Hải", "Phùng Văn Hải")]:
        assert restored(read) == right
    for kept in ["Lễ Hội Xuân", "Nguyên tắc chung", "Tây Nguyên", "Trần Văn Nguyên", "Tổ Quốc", "NGUYÊN VĂN", "Hồ Chí Minh",
                 "Ngày 12 Nguyên Văn"]:
        assert restored(kept) == kept


def test_a_signers_surname_read_as_no_syllable_takes_the_one_surname_a_letter_from_it() -> None:
    """`Trằế` (two tones: no syllable, the alternatives repair had held no Trần): the one surname a letter from its
    letters; not a word that is a syllable, nor one no surname is that near."""
    assert restored("Trằế Hoàng Tuấn") == "Trần Hoàng Tuấn"
    assert restored("Xyz Hoàng Tuấn") == "Xyz Hoàng Tuấn"
    assert restored("Trằế Hoàng") == "Trần Hoàng"
    assert restored("Trằế nhận") == "Trằế nhận"


def test_a_signers_surname_garbled_with_a_symbol_takes_the_one_surname_a_letter_from_it() -> None:
    """A seal's ring or the signature's stroke read into the surname (a 1-bit scan): `#` for its T, a speck and a
    stroke before it; only before the rest of a name, and only where one surname is that near."""
    assert restored("#rấñ Hoàng Tuấn") == "Trần Hoàng Tuấn"
    assert restored("`xNguyễn Hoàng Giang") == "Nguyễn Hoàng Giang"
    assert restored("Kguyễn Quác Việt") == "Nguyễn Quác Việt"  # the middle name is no name of the list: the last is
    assert restored("frân Phước Hiền") == "Trần Phước Hiền"  # no syllable, its capital a stroke's
    for kept in ["#rấñ hoàng", "12 Hoàng Tuấn", "- Nguyễn Văn An", "„ Hoàng Văn Tám", "#xyz Hoàng Tuấn", "và Hoàng Tuấn", "xyz Hoàng Tuấn", "ñg Văn Minh"]:
        assert restored(kept) == kept


def test_a_signers_given_name_read_with_a_slipped_tone_takes_the_commonest_it_spells() -> None:
    for read, right in [("Trần Hoàng Tuần", "Trần Hoàng Tuấn"), ("Trần Phước Hiên", "Trần Phước Hiền"),
                        ("Ông Lê Văn Huê", "Ông Lê Văn Huệ"), ("Nguyên Thị Lân", "Nguyễn Thị Lân"),
                        ("rần Ngọc Căng", "Trần Ngọc Căng"), ("gưýến Hoàng Giang", "Nguyễn Hoàng Giang")]:  # the last two: a capital lost under the seal
        assert restored(read) == right
    guessed = words("Trần Hoàng Tuần")
    restore_words(guessed)
    assert (guessed[2].text, guessed[2].flag) == ("Tuấn", True) and guessed[2].conf <= 0.5  # a guess the clerks see
    for kept in ["Trần Văn Tuân", "Lê Văn Tám", "Hoàng Tuần", "Tuần Lễ Vàng", "Trần Hoàng Tuần này", "Phạm Văn Gấu",
                 "rần rộ Căng", "ê Văn Hai", "Hà Nội Hải Phòng", "Lê Trung Chinh"]:
        assert restored(kept) == kept  # a given name of the list, two words, no surname first, more than a name, no such name


def test_a_header_in_capitals_takes_a_place_names_marks_from_the_body() -> None:
    text = ("HỘI CHỮ THẬP ĐỎ XÃ CAM PHÚC\nSố: 09/BC-CTĐ\nCông tác nhân đạo tại xã Cẩm Phúc năm 2025 đạt kết quả tốt.\n"
            "Hội viên xã Cẩm Phúc tham gia hiến máu; thôn Cam Lộc có 12 hộ nghèo.")
    doc = Document(SourceInfo("a", "a", "0" * 64, "text", len(text), 1), text_pages(text), {}, {})
    restore_document(doc)
    lines = [" ".join(w.text for w in line.words) for line in doc.lines()]
    assert lines[0] == "HỘI CHỮ THẬP ĐỎ XÃ CẨM PHÚC"
    assert "thôn Cam Lộc" in lines[3]  # written once: no evidence of its marks
    once = "ỦY BAN NHÂN DÂN XÃ TÂN AN\nTheo đề nghị của xã Tấn An."
    doc = Document(SourceInfo("b", "b", "0" * 64, "text", len(once), 1), text_pages(once), {}, {})
    restore_document(doc)
    assert [w.text for w in doc.lines()[0].words][-2:] == ["TÂN", "AN"]  # the body writes it once, the header stays


def test_an_old_ocrs_header_row_and_the_letters_it_read_name_the_place() -> None:
    """Text from an earlier OCR writes the header's two columns on one line (the date's place after the
    number), and repair may have changed a header word's letters (`DUC` -> `ĐƯỢC`): the place is still
    the document's, spelt by what the OCR read."""
    text = ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ ĐƯỢC THƠ Độc lập - Tự do - Hạnh phúc\n"
            "Số: 238/UBND-VP Đức Thọ, ngày 05 tháng 8 năm 2025\nKính gửi: Ông Nguyễn Văn Thuận, thôn Yên Hồ, xã Đức Thọ.")
    doc = Document(SourceInfo("a", "a", "0" * 64, "text", len(text), 1), text_pages(text), {}, {})
    header = doc.lines()[1].words
    for word, read in zip(header, ["XA", "DUC", "THO"]):
        word.ocr = read
    restore_document(doc)
    assert " ".join(w.text for w in doc.lines()[1].words[:3]) == "XÃ ĐỨC THỌ"
    text = text.replace("Đức Thọ, ngày", "Hà Tĩnh, ngày") + "\nTheo đề nghị của xã Đức Thọ."  # the date no longer names it
    doc = Document(SourceInfo("b", "b", "0" * 64, "text", len(text), 1), text_pages(text), {}, {})
    restore_document(doc)  # the words as read: ĐƯỢC THƠ spells no name the document writes
    assert " ".join(w.text for w in doc.lines()[1].words[:3]) == "XÃ ĐƯỢC THƠ"


def test_the_date_lines_place_and_the_issuers_take_the_spelling_the_model_finds_likelier() -> None:
    """The date line names the place the header writes after its unit; where the two are a letter apart, marks
    aside, the likelier spelling is both's; where the model cannot tell them apart, both stay as read."""

    def restored_document(text: str) -> list[str]:
        doc = Document(SourceInfo("a", "a", "0" * 64, "text", len(text), 1), text_pages(text), {}, {})
        restore_document(doc)
        return [" ".join(w.text for w in line.words) for line in doc.lines()]

    assert restored_document("HỘI NGƯỜI CAO TUỔI\nXÃ LONG ĐIỀN A\nSố: 12/BC-HNCT\nTổng Điền A, ngày 12 tháng 12 năm 2024")[3] == "Long Điền A, ngày 12 tháng 12 năm 2024"
    assert restored_document("ỦY BAN NHÂN DÂN\nPHƯỜNG HÒA KHÁNH BẮC\nHòa Khánh Bác, ngày 17 tháng 2 năm 2025")[2] == "Hòa Khánh Bắc, ngày 17 tháng 2 năm 2025"
    assert restored_document("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nQuảng Ngõi, ngày 17 tháng 2 năm 2025")[2] == "Quảng Ngãi, ngày 17 tháng 2 năm 2025"
    assert restored_document("ỦY BAN NHÂN DÂN\nXÃ TẤN AN\nTân An, ngày 17 tháng 2 năm 2025")[1] == "XÃ TÂN AN"
    assert restored_document("ỦY BAN NHÂN DÂN\nXÃ CAM PHÚC\nCẩm Phúc, ngày 17 tháng 2 năm 2025")[1:] == ["XÃ CAM PHÚC", "Cẩm Phúc, ngày 17 tháng 2 năm 2025"]
    assert restored_document("ỦY BAN NHÂN DÂN\nXÃ HÒA BÌNH\nHà Nội, ngày 17 tháng 2 năm 2025")[1:] == ["XÃ HÒA BÌNH", "Hà Nội, ngày 17 tháng 2 năm 2025"]
