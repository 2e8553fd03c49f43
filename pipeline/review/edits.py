"""Pure text rules of a clerk's edit: cleaning what was typed, and the word-for-word replacement of a batch fix."""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 100
MAX_NAME = 60

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_EDGES = re.compile(r"^([\W_]*)(.*?)([\W_]*)$", re.DOTALL)


class InvalidEdit(ValueError):
    """What a clerk typed cannot be saved; the message says why."""


def clean_text(text: object) -> str:
    """A word as typed -> NFC, trimmed; empty is allowed (it deletes a spurious word)."""
    if not isinstance(text, str):
        raise InvalidEdit("the new text must be a string")
    text = unicodedata.normalize("NFC", text).strip()
    if _CONTROL.search(text):
        raise InvalidEdit("the new text contains control characters")
    if len(text) > MAX_TEXT:
        raise InvalidEdit(f"the new text is longer than {MAX_TEXT} characters")
    return text


def clean_name(name: object) -> str:
    """The clerk's name as entered once per browser; required for every edit (it goes into the audit log)."""
    if not isinstance(name, str):
        raise InvalidEdit("enter your name before correcting words")
    name = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", name)).split())
    if not name:
        raise InvalidEdit("enter your name before correcting words")
    return name[:MAX_NAME]


def split_core(token: str) -> tuple[str, str, str]:
    """`(Pang),` -> (`(`, `Pang`, `),`): leading punctuation, the word, trailing punctuation."""
    m = _EDGES.match(token)
    assert m is not None
    return m.group(1), m.group(2), m.group(3)


def adapt_case(replacement: str, like: str) -> str:
    """Give `replacement` the case pattern of `like` (PANG -> ĐẢNG, Pang -> Đảng, pang -> đảng)."""
    if len(like) > 1 and like.isupper():
        return replacement.upper()
    if like[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    if like.islower():
        return replacement[:1].lower() + replacement[1:]
    return replacement


def clean_find(find: object) -> str:
    """The wrong reading a batch fix looks for: one word, without surrounding punctuation."""
    if not isinstance(find, str):
        raise InvalidEdit("type the wrong reading to look for")
    find = unicodedata.normalize("NFC", find).strip()
    if not find:
        raise InvalidEdit("type the wrong reading to look for")
    if len(find.split()) > 1:
        raise InvalidEdit("a batch fix works on one word at a time")
    core = split_core(find)[1]
    if not core:
        raise InvalidEdit("the word to look for has no letters or digits")
    return core


def matches(token: str, find: str, ignore_case: bool) -> bool:
    core = split_core(token)[1]
    if not core:
        return False
    return core.casefold() == find.casefold() if ignore_case else core == find


def replace_token(token: str, find: str, replacement: str, ignore_case: bool) -> str:
    """The token with its core replaced (punctuation kept; case adapted when matching ignores case)."""
    before, core, after = split_core(token)
    new = adapt_case(replacement, core) if ignore_case and core != find else replacement
    return before + new + after
