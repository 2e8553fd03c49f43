"""Tokens as repair sees them: words to decode, and things to keep (numbers, codes, dates, URLs...).

The same tokenizer turns the training corpus into language-model symbols, so
the model and the decoder agree on what a token is.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .vietnamese import is_syllable, nfc

NUM = "<num>"
CODE = "<code>"
URL = "<url>"
SENT = "<s>"

# Punctuation that stands as a token of its own in the language model.
PUNCT = set(",.;:!?()[]\"'“”‘’-–—/…%")

_URL = regex.compile(r"^(?:https?://|www\.)\S+$|^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$|^[\w-]+(?:\.[\w-]+)*\.(?:vn|com|gov|org|net|edu)(?:/\S*)?$", regex.I)
_NUMBER = regex.compile(r"^[+-]?\d+(?:[.,:]\d+)*%?$")
_DATE = regex.compile(r"^\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?$")
# Document references and other codes: 57-NQ/TW, 192/KH-UBND, 15/2024/QĐ-UBND, QCVN 01:2021, ISO-9001...
_CODE = regex.compile(r"^(?=.*\d)(?=.*[/-])[\p{L}\d]+(?:[/.-][\p{L}\d]+)+$|^(?=.*[/-])\p{Lu}[\p{Lu}\d]*(?:[/-][\p{Lu}\d]+)+$")
# Symbols an OCR puts for a letter (x& for xã, B§ for Bộ, k¥ for kỹ) belong to the word, not to its edges.
_EDGE = regex.compile(r"^([^\p{L}\p{N}§¢¥&$@|]*)(.*?)([^\p{L}\p{N}§¢¥&$@|]*)$", regex.S)
_HAS_ALNUM = regex.compile(r"[\p{L}\p{N}]")
_LETTERS = regex.compile(r"^\p{L}+$")
_HYPHENATED = regex.compile(r"^\p{L}+(?:[-/]\p{L}+)+$")
# Two words an OCR read with a stray mark for the space between them (dong.dang, quan'ly, bao,vé, C6-quyét,
# ban:nhén): a word, the mark, then a word of small letters (not a code's part, QĐ-TTg; not a sentence's start,
# trinh."Méi; not Lưu:VT, S6:311)
_GLUED = regex.compile(r"^(.*?\p{L}[\p{L}\d§¢¥&@|]*)[.,:;'’‘\"-]+(?=[\d§¢¥&@|]*\p{Ll}[\p{L}\d§¢¥&@|])(.+)$")
# The same with a number after the mark (tai.11, dat’7,2), and a sentence's end read without the space after it
# (trinh."Méi, v.v.Trong: the stop is kept, before a capital and a small letter, not TP.HCM)
_GLUED_NUMBER = regex.compile(r"^(.*?\p{L})[.,'’‘]+(\d[\d.,]*[^\p{L}\p{N}]*)$")
_GLUED_SENTENCE = regex.compile(r"^(.*?\p{L}[.!?]+)(?=[“\"'‘(]?\p{Lu}[\p{Ll}\d§¢¥&@|])(.+)$")
# An underline read into a word at its edge (_C6ng, hdi_, y_.): no part of the word
_UNDERLINED = regex.compile(r"(?<=^[^\p{L}\p{N}_]*)_+(?=[\p{L}\p{N}])|(?<=[\p{L}\p{N}])_+(?=[^\p{L}\p{N}_]*$)")
# A mark read as an apostrophe after a word (tt’ for từ, git’. for giữ.), where no quote opens before it
_MARK_AS_APOSTROPHE = regex.compile(r"^([^‘'’]*\p{L}{2})[’'](?=[^\p{L}\p{N}’']*$)")
# A heading's number read without the space after its stop (I.MỤC, II.KẾT, 1.Công): no code, the number and the word
_NUMBER_GLUED = regex.compile(r"^((?:[IVX][IVXl]*|\d{1,2})\.)(\p{Lu}\p{L}+)$")  # Il.KẾT: II with an l for an I
# Two syllables read with a speck for the space between them, where marks are read (người:cao, danh.hiệu, CÔNG.AN)
_SPECK_GLUED = regex.compile(r"^(\p{L}{2,})[.,:;](\p{L}{2,})$")
_NOT_ALNUM = regex.compile(r"[^\p{L}\p{N}]")
GAP = "gap"  # the kind of the piece that stands for the space between two glued words


@dataclass(frozen=True)
class Piece:
    """A piece of a whitespace token: `kind` is word, keep or punct."""

    text: str
    kind: str


def classify(core: str) -> str | None:
    """The language-model class of a token kept as it is, or None when it is a word to decode."""
    if _URL.match(core):
        return URL
    if _NUMBER.match(core) or _DATE.match(core):
        return NUM
    if _CODE.match(core):
        return CODE
    return None


def split_token(token: str) -> list[Piece]:
    """`(KHCN),` -> `(`, `KHCN`, `)`, `,`; `S6:311` -> `S6`, `:`, `311`; `I.MỤC` -> `I`, `.`, a gap (the space
    the OCR lost), `MỤC`; codes and URLs stay whole."""
    if classify(token) or _URL.match(token):
        return [Piece(token, "keep")]
    m = _EDGE.match(token)
    lead, core, trail = m.group(1), m.group(2), m.group(3)
    pieces = [Piece(ch, "punct") for ch in lead]
    if core and not _HAS_ALNUM.search(core):
        pieces.extend(Piece(ch, "punct") for ch in core)
    elif core:
        if classify(core):
            pieces.append(Piece(core, "keep"))
        elif glued := _NUMBER_GLUED.match(core):
            pieces.extend([*split_token(glued.group(1)), Piece(" ", GAP), *split_token(glued.group(2))])
        elif _HYPHENATED.match(core):  # ki-ốt, đồng/suất: each part is a word of its own
            for part in regex.split(r"([-/])", core):
                pieces.append(Piece(part, "punct" if part in "-/" else "word"))
        elif ":" in core and not _CODE.match(core):
            head, _, tail = core.partition(":")
            pieces.extend(split_token(head) + [Piece(":", "punct")] + split_token(tail))
        else:
            pieces.append(Piece(core, "word"))
    pieces.extend(Piece(ch, "punct") for ch in trail)
    return [p for p in pieces if p.text]


def part_specked(token: str) -> list[Piece]:
    """`split_token`, where marks are read, two syllables glued by a speck read as a stop, a colon or a comma
    parted first: `người:cao` -> `người`, a gap, `cao`; `CÔNG.AN` -> `CÔNG`, a gap, `AN`; the speck is no
    punctuation (a word in small letters follows it, or both are in capitals). A sentence's stop before a
    capital stays (`hàng.Chính`), and so does what is no pair of syllables (`TP.HCM`, `ki-ốt`, `v.v`)."""
    m = _EDGE.match(token)
    glued = _SPECK_GLUED.match(m.group(2))
    if glued is None or not all(is_syllable(part.lower()) for part in glued.groups()):
        return split_token(token)
    first, second = glued.groups()
    if second[0].isupper() and not (first.isupper() and second.isupper()):
        return split_token(token)
    return [*split_token(m.group(1) + first), Piece(" ", GAP), *split_token(second + m.group(3))]


def unglue(token: str) -> list[Piece]:
    """`split_token`, a token read as two words glued by a stray mark parted first: `dong.dang` -> `dong`, a gap
    (a space), `dang`; `tai.11` -> `tai`, a gap, `11`; `trinh."Méi` -> `trinh`, `.`, a gap, `"`, `Méi`; `ban:nhén` ->
    `ban`, a gap, `nhén`. An underline read at a word's edge is dropped (`_C6ng` -> `C6ng`), and an apostrophe
    right after a word that no quote opened (`tt’` -> `tt`: a mark read apart). Numbers, dates, URLs and tokens
    with a slash (codes, V/v) are left whole."""
    token = _MARK_AS_APOSTROPHE.sub(r"\1", _UNDERLINED.sub("", token))
    m = _GLUED.match(token) or _GLUED_NUMBER.match(token) or _GLUED_SENTENCE.match(token)
    if m is None or "/" in token or classify(token) in (NUM, URL) or len(_NOT_ALNUM.sub("", m.group(1))) < 2:
        return split_token(token)
    return [*split_token(m.group(1)), Piece(" ", GAP), *unglue(m.group(2))]


_QUESTION_FOR_MARK = regex.compile(r"^(\p{L}+)\?$")


def marks_read_as_questions(tokens: list[str]) -> list[str]:
    """An OCR without Vietnamese reads a horn or a hook as a question mark after the word (`git? lai`: giữ lại,
    `Chi? thap do`: Chữ thập đỏ): a `?` right after letters, before a word in small letters or a number (`giii? 6n
    dinh`, `git? 02 ban`), is part of that word, not the end of a question."""
    return [
        m.group(1) if (m := _QUESTION_FOR_MARK.match(t)) and k + 1 < len(tokens) and (tokens[k + 1][:1].islower() or tokens[k + 1][:1].isdigit()) else t
        for k, t in enumerate(tokens)
    ]


SENTENCE_END = {".", ":", ";", "!", "?", "-", "(", "“", "\"", SENT}


def is_title(word: str) -> bool:
    """`Chính`; also `B§`, `S¢` (an OCR's symbol for a marked letter after a capital): a capital, then no other."""
    return len(word) > 1 and word[0].isupper() and not any(c.isupper() for c in word[1:])


def lm_symbol(piece: Piece, initial: bool = True) -> str:
    """The language-model symbol of a piece: word (lower case, or title case inside a
    sentence, where it marks a name or a proper noun), punctuation, or a class."""
    if piece.kind == "word":
        return piece.text if not initial and is_title(piece.text) else piece.text.lower()
    if piece.kind == "punct":
        return piece.text if piece.text in PUNCT else "-"
    return classify(piece.text) or CODE


def line_symbols(line: str) -> list[str]:
    """A line of clean training text -> language-model symbols."""
    out: list[str] = []
    for token in nfc(line).split():
        for piece in split_token(token):
            if piece.kind == "word" and not _LETTERS.match(piece.text):
                out.append(CODE)
            else:
                out.append(lm_symbol(piece, initial=not out or out[-1] in SENTENCE_END))
    return out


def to_roman(value: int) -> str:
    """1 -> I, 4 -> IV, 39 -> XXXIX: a section's number."""
    out = ""
    for v, s in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= v:
            out, value = out + s, value - v
    return out
