"""Legacy encodings on real Vietnamese text: TCVN3, VNI and VISCII, as bytes and as mojibake, back to Unicode.

Takes lines of real legal text (../shared/corpora/vn-legal/docs.tar.xz, read in place, never copied),
encodes each document with each encoding (glibc iconv for VISCII and TCVN3, the VNI-Windows codes for VNI),
then decodes the bytes with `legacy.decode_bytes` and their Windows-1252 and Latin-1 mojibake with
`legacy.fix_text`. Prints the syllable accuracy against the original, the share of documents whose
encoding was named right, and that the original Unicode text comes out unchanged.

TCVN3 has no code for a capital with a tone mark: a typist switched to a capital font (.VnTimeH), which a
.txt does not keep. Such capitals are typed here as their lowercase code, and TCVN3 is also scored with
case ignored.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.text import legacy  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "vn-legal" / "docs.tar.xz"
DOCUMENTS, LINES = 24, 40  # documents spread over the archive, first lines of each
TYPED = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "\u00a0": " ", "\t": " "})
TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"
LETTERS = [
    ch
    for base in "aăâeêioôơuưy"
    for tone in range(len(legacy.TONES))
    for ch in (legacy.letter(base, tone), legacy.letter(base, tone).upper())
    if not ch.isascii()
] + ["đ", "Đ"]


def iconv_codes(encoding: str) -> dict[str, bytes]:
    out = subprocess.run(["iconv", "-f", "UTF-8", "-t", encoding], input="\n".join(LETTERS).encode(), capture_output=True, check=True)
    return dict(zip(LETTERS, out.stdout.split(b"\n")))


def encoders() -> dict[str, dict[str, bytes]]:
    tcvn = iconv_codes("TCVN5712-1")
    return {
        "tcvn3": {ch: tcvn[ch if ch.islower() or ch in TCVN3_CAPITALS else ch.lower()] for ch in LETTERS},
        "vni": {letter: code.encode("latin-1") for code, letter in legacy.TABLES["vni"].items()},
        "viscii": iconv_codes("VISCII"),
    }


def encode(text: str, codes: dict[str, bytes]) -> bytes:
    return b"".join(codes.get(ch) or ch.encode("ascii") for ch in text)


def documents() -> list[str]:
    """Lines a legacy typist could have typed (ASCII and Vietnamese letters), from documents across the archive."""
    with tarfile.open(CORPUS, "r:xz") as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")), key=lambda m: m.name)
        step = max(1, len(members) // DOCUMENTS)
        docs = []
        for member in members[::step][:DOCUMENTS]:
            raw = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            lines = [unicodedata.normalize("NFC", ln.translate(TYPED)).strip() for ln in raw.splitlines()]
            typeable = [ln for ln in lines if ln and all(ch.isascii() or ch in LETTERS for ch in ln)]
            docs.append("\n".join(typeable[:LINES]))
    return docs


def syllables_right(truth: str, got: str, fold_case: bool) -> tuple[int, int]:
    want, have = truth.split(), got.split()
    if len(want) != len(have):
        return 0, len(want)
    if fold_case:
        want, have = [w.lower() for w in want], [w.lower() for w in have]
    return sum(w == h for w, h in zip(want, have)), len(want)


def cp1252(data: bytes) -> str:
    return "".join(legacy.CP1252[b] for b in data)


def main() -> None:
    if not CORPUS.exists():
        print(f"eval_legacy: skipped: {CORPUS} is absent (the shared corpora are not on this machine)")
        return
    docs = documents()
    codes = encoders()
    syllables = sum(len(d.split()) for d in docs)
    print(f"{len(docs)} documents, {sum(d.count(chr(10)) + 1 for d in docs)} lines, {syllables} syllables")
    print(f"{'encoding':8} {'form':8} {'syllables right':>16} {'case ignored':>13} {'named right':>12}")
    for family, table in codes.items():
        for form in ("bytes", "cp1252", "latin-1"):
            right = right_folded = named = total = 0
            for doc in docs:
                data = encode(doc, table)
                text, found = legacy.decode_bytes(data) if form == "bytes" else legacy.fix_text(cp1252(data) if form == "cp1252" else data.decode("latin-1"))
                ok, n = syllables_right(doc, text, False)
                ok_folded, _ = syllables_right(doc, text, True)
                right, right_folded, total, named = right + ok, right_folded + ok_folded, total + n, named + (found == family)
            print(f"{family:8} {form:8} {right / total:16.4%} {right_folded / total:13.4%} {named / len(docs):12.0%}")
    unchanged = sum(legacy.fix_text(d) == (d, None) and legacy.decode_bytes(d.encode()) == (d, "utf-8") for d in docs)
    print(f"Unicode documents unchanged: {unchanged}/{len(docs)} ({unchanged / len(docs):.0%})")


if __name__ == "__main__":
    main()
