"""The lexicon: syllable inventory, words, the language model, and the user's overlay."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import regex

from ..outputs import atomic_write_text
from . import lm as lm_module
from .tokens import line_symbols
from .vietnamese import fold, is_syllable, nfc, normalize_text

DICT_DIR = Path(os.environ.get("VNOCR_DICTIONARIES", Path(__file__).resolve().parents[2] / "dictionaries"))
USER_LM = Path(os.environ.get("VNOCR_USER_LM", Path.home() / ".local" / "share" / "vnocr" / "user-lm.txt"))
_WORDLIKE = regex.compile(r"^\p{L}+$")


@dataclass(eq=False)
class Lexicon:
    lm: lm_module.LanguageModel
    syllables: frozenset[str]
    by_fold: dict[str, tuple[str, ...]]
    abbreviations: frozenset[str] = frozenset()  # as written: UBND, HĐND, VNeID, TTr
    name_parts: frozenset[str] = frozenset()  # surnames, middle and given names, in small letters: nguyễn, văn, thị

    def knows(self, word: str) -> bool:
        return word in self.syllables or word in self.lm.ids

    @cached_property
    def abbreviation_unmarked(self) -> dict[str, str]:
        """An abbreviation as an OCR without Vietnamese reads it (GD&DT, DKKD, QD) -> as written (GD&ĐT, ĐKKD, QĐ),
        where that reading is no abbreviation itself, no syllable (DU: dự, du, not ĐU) and spells only one."""
        found: dict[str, list[str]] = {}
        for abbreviation in self.abbreviations:
            read = fold(abbreviation)
            if read != abbreviation and read not in self.abbreviations and not is_syllable(read.lower()):
                found.setdefault(read, []).append(abbreviation)
        return {read: written[0] for read, written in found.items() if len(written) == 1}

    def written_abbreviation(self, read: str) -> str:
        """`read` as written where it is an abbreviation read without its marks (`abbreviation_unmarked`), or a
        ministry's (B) or department's (S) abbreviation made of one (BGDDT, SGDDT: BGDĐT, SGDĐT); else as read."""
        found = self.abbreviation_unmarked.get(read)
        if found is None and read[:1] in ("B", "S") and (rest := self.abbreviation_unmarked.get(read[1:])) is not None:
            found = read[0] + rest
        return found or read


def load_lexicon(user_lm: Path | None = None, dict_dir: Path | None = None) -> Lexicon:
    """Load the shipped dictionaries (and the user overlay when present)."""
    dict_dir = dict_dir or DICT_DIR
    if not (dict_dir / "lm.npz").exists():
        raise FileNotFoundError(f"{dict_dir}/lm.npz is missing; run `make dictionaries`")
    model = lm_module.LanguageModel(dict_dir / "lm.npz")
    syllables = frozenset((dict_dir / "syllables.txt").read_text("utf-8").split())
    index: dict[str, list[str]] = {}
    for word in model.words:
        if _WORDLIKE.match(word) and word.islower():
            index.setdefault(fold(word), []).append(word)
    by_fold = {k: tuple(sorted(v, key=lambda w: -model.uni[model.ids[w]])) for k, v in index.items()}
    overlay_path = user_lm if user_lm is not None else USER_LM
    if overlay_path.exists():
        model.overlay = lm_module.UserOverlay(read_overlay(overlay_path), model)
    parts = frozenset(name.lower() for title in NAME_PARTS for name in name_section(title, dict_dir))
    return Lexicon(model, syllables, by_fold, read_abbreviations(dict_dir / "abbreviations.txt"), parts)


NAME_PARTS = ("surnames", "middle and given names")  # the sections of names.txt a person's name is made of


def name_section(title: str, dict_dir: Path = DICT_DIR) -> list[str]:
    """The names under `# <title>` in dictionaries/names.txt (none when the file or the section is absent)."""
    path = dict_dir / "names.txt"
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    start = next((i for i, line in enumerate(lines) if line.startswith(f"# {title}")), len(lines))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return [nfc(name) for name in lines[start + 1 : end]]


def read_abbreviations(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    return frozenset(line.split("\t")[0] for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#"))


def read_overlay(path: Path) -> lm_module.NgramCounts:
    counts = lm_module.NgramCounts()
    for raw in path.read_text("utf-8").splitlines():
        symbols = line_symbols(raw)
        if symbols:
            counts.add(symbols)
    return counts


def learn(folder: Path, user_lm: Path = USER_LM) -> int:
    """Add the clean text of FOLDER (`*.txt`, recursively) to the user overlay; returns the lines added."""
    lines = []
    for path in sorted(folder.rglob("*.txt")):
        for raw in path.read_text("utf-8", errors="replace").splitlines():
            text = normalize_text(raw).strip()
            if len(text.split()) >= 2:
                lines.append(text)
    known = set(user_lm.read_text("utf-8").splitlines()) if user_lm.exists() else set()
    new = [line for line in dict.fromkeys(lines) if line not in known]
    if new:
        atomic_write_text(user_lm, "".join(line + "\n" for line in [*sorted(known), *new]))
    return len(new)
