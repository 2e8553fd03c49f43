"""Legacy Vietnamese encodings (TCVN3, VNI, VISCII): every letter, detection, Unicode left alone, the CLI.

The encoders here are the tests' own: glibc iconv for VISCII (RFC 1456) and for TCVN3 (its TCVN5712-1 is
the VN1 table, of which TCVN3's VN3 is the part below), and a VNI-Windows chart transcribed below.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.text import legacy
from pipeline.text.lexicon import DICT_DIR

from .conftest import load_valid_json

TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
LOWER = [unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in TONE_MARKS] + ["đ"]
LETTERS = [ch for ch in LOWER if not ch.isascii()]
LETTERS += [ch.upper() for ch in LETTERS]  # the 134 letters beyond ASCII
TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"  # the only capitals TCVN3 has a code for; the others need a capital font

# VNI-Windows, from its chart: a letter's code per tone (none, sắc, huyền, hỏi, ngã, nặng); capitals are
# the same codes in capitals.
VNI_CHART = {
    "a": "a aù aø aû aõ aï", "ă": "aê aé aè aú aü aë", "â": "aâ aá aà aå aã aä",
    "e": "e eù eø eû eõ eï", "ê": "eâ eá eà eå eã eä", "i": "i í ì æ ó ò",
    "o": "o où oø oû oõ oï", "ô": "oâ oá oà oå oã oä", "ơ": "ô ôù ôø ôû ôõ ôï",
    "u": "u uù uø uû uõ uï", "ư": "ö öù öø öû öõ öï", "y": "y yù yø yû yõ î",
}


@cache
def vni_codes() -> dict[str, str]:
    codes = {"đ": "ñ", "Đ": "Ñ"}
    for base, row in VNI_CHART.items():
        for mark, code in zip(TONE_MARKS, row.split()):
            ch = unicodedata.normalize("NFC", base + mark)
            codes[ch], codes[ch.upper()] = code, code.upper()
    return codes


def vni_encode(text: str) -> bytes:
    return "".join(vni_codes().get(ch, ch) for ch in text).encode("latin-1")


@cache
def iconv_codes(encoding: str) -> dict[str, bytes]:
    """Each letter's bytes in `encoding`, as glibc's iconv writes them."""
    out = subprocess.run(["iconv", "-f", "UTF-8", "-t", encoding], input="\n".join(LETTERS).encode(), capture_output=True, check=True)
    return dict(zip(LETTERS, out.stdout.split(b"\n")))


def viscii_encode(text: str) -> bytes:
    return b"".join(iconv_codes("VISCII").get(ch) or ch.encode("ascii") for ch in text)


def tcvn3_encode(text: str) -> bytes:
    """TCVN3 as typed: a capital without a code of its own is its lowercase code (in a capital font)."""
    codes = iconv_codes("TCVN5712-1")
    return b"".join(codes[ch if ch.islower() or ch in TCVN3_CAPITALS else ch.lower()] if ch in codes else ch.encode("ascii") for ch in text)


ENCODERS = {"tcvn3": tcvn3_encode, "vni": vni_encode, "viscii": viscii_encode}


def cp1252(data: bytes) -> str:
    """Bytes as Windows-1252 shows them (its five unassigned bytes as the C1 controls, as Windows does)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


MOJIBAKE = {"cp1252": cp1252, "latin-1": lambda data: data.decode("latin-1")}


def as_bytes(text: str) -> str:
    """A mojibake string back to the bytes it shows, in their Latin-1 reading (what `legacy.convert` takes)."""
    view = legacy.byte_view(text)
    assert view is not None
    return view[0]


# -- every letter ---------------------------------------------------------------------------------------


def test_the_references_cover_every_letter() -> None:
    assert len(LETTERS) == 134 and len(set(LETTERS)) == 134
    assert all(len(iconv_codes(e)[ch]) == 1 for e in ("VISCII", "TCVN5712-1") for ch in LETTERS)
    assert len({vni_codes()[ch] for ch in LETTERS}) == 134
    assert {len(t) for t in legacy.TABLES.values()} == {74, 134}  # TCVN3: 67 lowercase + 7 capitals


@pytest.mark.parametrize("family", ["tcvn3", "vni", "viscii"])
@pytest.mark.parametrize("shown", ["bytes", "cp1252", "latin-1"])
def test_every_letter_in_both_cases(family: str, shown: str) -> None:
    wrong = []
    for ch in LETTERS:
        capital_font = family == "tcvn3" and ch.isupper() and ch not in TCVN3_CAPITALS
        data = ENCODERS[family](ch)
        view = data.decode("latin-1") if shown == "bytes" else as_bytes(MOJIBAKE[shown](data))
        got = legacy.convert(view, family, legacy.LATIN1 if shown == "latin-1" else legacy.CP1252, capitals=capital_font)
        if got != ch:
            wrong.append((ch, data, got))
    assert not wrong


def test_a_letter_is_nfc_and_nothing_else_moves() -> None:
    view = tcvn3_encode("Điều 5: ngày 12/3, ông Đỗ Văn Thuỷ (UBND).").decode("latin-1")
    text = legacy.convert(view, "tcvn3")
    assert text == "Điều 5: ngày 12/3, ông Đỗ Văn Thuỷ (UBND)." and unicodedata.is_normalized("NFC", text)


# -- round trips ----------------------------------------------------------------------------------------

PUNCTUATION = " .,;:!?()/-\"'%"
any_text = st.text(st.sampled_from(LETTERS + list("abcdeghiklmnopqrstuvxyBCDGHKLMNPQRSTVX0123456789") + list(PUNCTUATION)), max_size=80)


@pytest.mark.parametrize("family", ["tcvn3", "vni", "viscii"])
@settings(max_examples=150, deadline=None)
@given(text=any_text)
def test_any_text_round_trips_through_each_table(family: str, text: str) -> None:
    if family == "tcvn3":  # TCVN3 has no code for a toned capital: a capital font's text is all capitals
        text = "".join(ch.lower() if ch.isupper() and not ch.isascii() and ch not in TCVN3_CAPITALS else ch for ch in text)
    data = ENCODERS[family](text)
    assert legacy.convert(data.decode("latin-1"), family) == text
    assert legacy.convert(as_bytes(cp1252(data)), family) == text
    assert legacy.convert(data.decode("latin-1"), family, legacy.LATIN1) == text


@settings(max_examples=50, deadline=None)
@given(text=any_text)
def test_a_capital_font_round_trips(text: str) -> None:
    data = tcvn3_encode(text.upper())
    assert legacy.convert(as_bytes(cp1252(data)), "tcvn3", capitals=True) == text.upper()


@cache
def syllables() -> list[str]:
    return sorted({w.lower() for w in (DICT_DIR / "syllables.txt").read_text("utf-8").split()})


def sentence(draw: st.DrawFn, family: str) -> str:
    """A line of 4 to 12 real syllables, some capitalised as a name or a sentence start would be."""
    words = draw(st.lists(st.sampled_from(syllables()), min_size=4, max_size=12))
    shaped = [w.capitalize() if draw(st.booleans()) and (family != "tcvn3" or w[0].isascii() or w[0] in "ăâêôơưđ") else w for w in words]
    return " ".join(shaped) + draw(st.sampled_from(["", ".", ";", ":"]))


@st.composite
def vietnamese_lines(draw: st.DrawFn, family: str) -> str:
    # every line carries evidence of its own: `a a a bỏ` alone reads as well in Windows-1252 (`a a a bá`)
    lines = [sentence(draw, family) for _ in range(draw(st.integers(2, 6)))]
    text = "\n".join(f"{ln} Cộng hòa" for ln in lines)
    # evidence: words with a letter Latin-1 lacks (a line of `biên` alone reads the same in Latin-1 and VISCII)
    marked = [ln for ln in text.split("\n") if sum(any(ord(c) > 255 for c in w) for w in ln.split()) >= 3]
    return text if marked else text + "\n" + "Cộng hòa xã hội chủ nghĩa Việt Nam"


@pytest.mark.parametrize("family", ["tcvn3", "vni", "viscii"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_vietnamese_is_found_and_round_trips(family: str, data: st.DataObject) -> None:
    text = data.draw(vietnamese_lines(family))
    encoded = ENCODERS[family](text)
    assert legacy.decode_bytes(encoded) == (text, family)
    for show in MOJIBAKE.values():
        assert legacy.fix_text(show(encoded)) == (text, family)


unicode_text = st.text(st.sampled_from(LETTERS + list("abcdeghiklmnopqrstuvxy0123456789") + list(PUNCTUATION) + ["\n"]), max_size=200)


@settings(max_examples=300, deadline=None)
@given(text=unicode_text | st.text(st.characters(max_codepoint=127), max_size=200))
def test_unicode_and_ascii_are_never_changed(text: str) -> None:
    assert legacy.fix_text(text) == (text, None)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_real_vietnamese_in_unicode_is_never_changed(data: st.DataObject) -> None:
    text = data.draw(vietnamese_lines("vni"))
    assert legacy.fix_text(text) == (text, None)
    assert legacy.decode_bytes(text.encode()) == (text, "utf-8")


# -- detection ------------------------------------------------------------------------------------------

HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
BODY = "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\nNgười dân được hướng dẫn sử dụng dịch vụ công trực tuyến."


@pytest.mark.parametrize("family", ["tcvn3", "vni", "viscii"])
def test_a_document_in_each_encoding(family: str) -> None:
    text = HEADER + "\n" + BODY
    assert legacy.decode_bytes(ENCODERS[family](text)) == (text, family)
    assert legacy.fix_text(cp1252(ENCODERS[family](text))) == (text, family)


def test_the_issue_examples() -> None:
    assert legacy.fix_text("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == ("Cộng hoà xã hội chủ nghĩa Việt Nam", "tcvn3")
    assert legacy.fix_text("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == ("Cộng hòa xã hội chủ nghĩa Việt Nam", "vni")


def test_each_line_is_decided_alone() -> None:
    lines = [cp1252(tcvn3_encode(HEADER)), "Hà Nội, ngày 5 tháng 3 năm 2024", cp1252(vni_encode(BODY)), "Page 2 of 3"]
    text, found = legacy.fix_text("\n".join(lines))
    assert text == "\n".join([HEADER, "Hà Nội, ngày 5 tháng 3 năm 2024", BODY, "Page 2 of 3"])
    assert found == "tcvn3+vni"


def test_a_short_line_follows_the_clear_lines() -> None:
    text = "§iÒu 1.\n" + cp1252(tcvn3_encode(BODY))
    assert legacy.fix_text(text) == ("Điều 1.\n" + BODY, "tcvn3")
    assert legacy.fix_text("§iÒu 1.") == ("§iÒu 1.", None)  # alone, too little to go on: left as it is


def test_other_languages_are_left_alone() -> None:
    for text in ("café crème brûlée, naïve façade", "Müller São Paulo Ærø Ñandú", "Số 12/BC-UBND ngày 5/3", "“Quoted” — 5 €"):
        assert legacy.fix_text(text) == (text, None)


def test_a_toned_capital_in_tcvn3_needs_the_capital_font() -> None:
    encoded = cp1252(tcvn3_encode("Ủy ban nhân dân tỉnh Hải Dương"))
    assert legacy.fix_text(encoded) == ("Ủy ban nhân dân tỉnh Hải Dương", "tcvn3")  # `Ủy ban`: by convention
    plain = cp1252(tcvn3_encode("Ở tỉnh Hải Dương ủy thác cho phường"))
    assert legacy.fix_text(plain) == ("ở tỉnh Hải Dương ủy thác cho phường", "tcvn3")  # the .txt lost the font
    assert legacy.fix_text(encoded, capitals=True) == ("ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", "tcvn3")
    assert legacy.fix_text(cp1252(tcvn3_encode("CỘNG HÒA XÃ HỘI")), capitals=True) == ("CỘNG HÒA XÃ HỘI", "tcvn3")


@pytest.mark.parametrize(
    ("name", "capitals"),
    [(".VnTimeH", True), (".VnArialH", True), (".VnTimeNewRomanH", True), ("ABCDEF+.VnTimeH,Bold", True),
     (".VnTimeH-BoldItalic", True), (".VnTime", False), (".VnTime-Bold", False), ("Arial", False), ("TimesH", False)],
)
def test_font_capitals(name: str, capitals: bool) -> None:
    assert legacy.font_capitals(name) is capitals


def test_bytes_mixing_utf8_and_tcvn3() -> None:
    data = tcvn3_encode(HEADER) + b"\n" + BODY.encode()
    assert legacy.decode_bytes(data) == (HEADER + "\n" + BODY, "tcvn3+utf-8")


def test_bytes_that_fit_no_encoding() -> None:
    with pytest.raises(InputError, match=r"not UTF-8 \(invalid byte 0xe9 at offset 3\).*TCVN3, VNI, VISCII"):
        legacy.decode_bytes("café crème brûlée".encode("cp1252"))


# -- the command line -----------------------------------------------------------------------------------


def vnocr(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], input=stdin, capture_output=True, timeout=600)


def test_process_reads_legacy_text_files(tmp_path: Path) -> None:
    text = HEADER + "\n\n" + BODY + "\n"
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    files = {
        "tcvn3.txt": (tcvn3_encode(text), "tcvn3"),
        "vni.txt": (vni_encode(text), "vni"),
        "viscii.txt": (viscii_encode(text), "viscii"),
        "mojibake.txt": (cp1252(tcvn3_encode(text)).encode(), "utf-8+tcvn3"),
        "mixed.txt": (tcvn3_encode(HEADER) + b"\n\n" + BODY.encode() + b"\n", "tcvn3+utf-8"),
        "unicode.txt": (text.encode(), "utf-8"),
    }
    for name, (data, _) in files.items():
        (src / name).write_bytes(data)
    result = vnocr("process", str(src), "-o", str(out), "--no-repair", "-q")
    assert result.returncode == 0, result.stderr.decode()
    for name, (_, encoding) in files.items():
        doc = load_valid_json(out / name.replace(".txt", ".json"))
        assert doc["source"]["encoding"] == encoding, name
        words = " ".join(w["text"] for p in doc["pages"] for ln in p["lines"] for w in ln["words"])
        assert words == " ".join(text.split()), name


def test_repair_converts_first_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(vni_encode(BODY))
    result = vnocr("repair", str(path))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().split() == BODY.split()
    assert result.stderr.decode().strip() == f"vnocr: {path}: converted from vni to Unicode before repair"
    piped = vnocr("repair", stdin=cp1252(tcvn3_encode(BODY)).encode())
    assert piped.stdout.decode().split() == BODY.split()
    assert "stdin: converted from utf-8+tcvn3" in piped.stderr.decode()
    clean = vnocr("repair", stdin=BODY.encode())
    assert clean.stderr.decode() == "" and clean.stdout.decode().split() == BODY.split()


def test_a_text_in_no_known_encoding_fails_with_one_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "french.txt").write_bytes("café crème brûlée".encode("cp1252"))
    (src / "good.txt").write_bytes(tcvn3_encode(BODY))
    result = vnocr("process", str(src), "-o", str(out), "--no-repair")
    stderr = result.stderr.decode()
    assert result.returncode == 1 and "1 ok, 1 failed" in stderr, stderr
    assert f"failed: {src / 'french.txt'}: the text is not UTF-8 (invalid byte 0xe9 at offset 3)" in stderr
    assert "TCVN3, VNI, VISCII" in stderr and "Traceback" not in stderr
    entry = next(json.loads(ln) for ln in (out / "manifest.jsonl").read_text().splitlines() if "french" in ln)
    assert entry["status"] == "error" and "legacy encoding tried" in entry["error"]
    repair = vnocr("repair", str(src / "french.txt"))
    assert repair.returncode == 1 and len(repair.stderr.decode().strip().splitlines()) == 1
    assert "the text is not UTF-8" in repair.stderr.decode()
