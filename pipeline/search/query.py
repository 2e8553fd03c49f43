"""Searching the index: a user's query -> ranked hits, each naming its section path (`II > 2 > 2.1`) and page.

Query syntax: words (all must match), `"a phrase"`, `prefix*`, `a OR b`, `-word` (exclude).
Words typed without marks match any marks; a query typed with marks ranks the rows that carry
exactly those marks first.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date as _date
from html import escape
from pathlib import Path
from typing import Any

from ..errors import SearchError
from ..text.vietnamese import fold, nfc
from .documents import Section
from .folding import TOKEN_RE, exact_text, fold_aligned, has_marks
from .index import connect

_HL_OPEN, _HL_CLOSE = "\x02", "\x03"

# `--type CV` finds công văn, which have no code of their own in a number (`125/UBND-VP`).
TYPE_ALIASES = {"CV": "CONG VAN"}


# What a row without a section path is, for people reading hits.
KIND_LABELS = {
    "header": "phần đầu", "preamble": "phần mở đầu", "closing": "phần kết", "recipients": "nơi nhận",
    "signature": "chữ ký", "text": "", "section": "",
}


@dataclass
class Term:
    text: str
    prefix: bool = False

    @property
    def tokens(self) -> list[str]:
        return TOKEN_RE.findall(nfc(self.text))


@dataclass
class ParsedQuery:
    alternatives: list[list[Term]]  # any alternative (OR) whose terms all match (AND)
    excluded: list[Term]

    @property
    def terms(self) -> list[Term]:
        return [t for group in self.alternatives for t in group]


_QUERY_RE = re.compile(r'(-?)"([^"]*)"(\*?)|(\S+)')


def parse_query(query: str) -> ParsedQuery:
    """`chuyển đổi số OR "dịch vụ công" -thử` -> (chuyển AND đổi AND số) OR ("dịch vụ công"), excluding thử.

    Words all match; OR (in capitals) separates alternatives; "quotes" make a phrase;
    a trailing * a prefix; a leading - excludes.
    """
    alternatives: list[list[Term]] = [[]]
    excluded: list[Term] = []
    for m in _QUERY_RE.finditer(nfc(query)):
        if m.group(4) is not None:
            raw = m.group(4)
            if raw == "OR":
                if alternatives[-1]:
                    alternatives.append([])
                continue
            negative = raw.startswith("-") and len(raw) > 1
            raw = raw[1:] if negative else raw
            term = Term(raw.rstrip("*"), raw.endswith("*"))
        else:
            negative = m.group(1) == "-"
            term = Term(m.group(2), m.group(3) == "*")
        if not term.tokens:
            continue
        (excluded if negative else alternatives[-1]).append(term)
    alternatives = [group for group in alternatives if group]
    if not alternatives:
        raise SearchError("the query has no word to look for" + (" (only exclusions)" if excluded else ""))
    return ParsedQuery(alternatives, excluded)


def _phrase(tokens: list[str], prefix: bool) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"' + ("*" if prefix else "")


_FOLDED, _EXACT = "{title body}", "{xtitle xbody}"


def _folded_clause(term: Term) -> str:
    return f"{_FOLDED} : {_phrase([fold_aligned(t).lower() for t in term.tokens], term.prefix)}"


def _exact_clause(term: Term) -> str:
    """The term as typed: its marked words must match with their marks; unmarked words match any marks."""
    tokens = term.tokens
    marked = [i for i, t in enumerate(tokens) if has_marks(t)]
    if not marked:
        return _folded_clause(term)
    exact = [exact_text(t).lower() for t in tokens]
    if len(marked) == len(tokens):
        return f"{_EXACT} : {_phrase(exact, term.prefix)}"
    parts = [_folded_clause(term)]
    for i in marked:
        parts.append(f"{_EXACT} : {_phrase([exact[i]], term.prefix and i == len(tokens) - 1)}")
    return "(" + " AND ".join(parts) + ")"


def _fts_query(parsed: ParsedQuery, clause: Callable[[Term], str], with_exclusions: bool) -> str:
    parts = ["(" + " AND ".join(clause(t) for t in group) + ")" for group in parsed.alternatives]
    text = " OR ".join(parts)
    if with_exclusions and parsed.excluded:
        text = f"({text}) NOT (" + " OR ".join(_folded_clause(t) for t in parsed.excluded) + ")"
    return text


def fts_queries(query: str) -> tuple[str, str | None]:
    """The FTS5 MATCH expressions for a user query: the folded one, and the mark-exact one (None without marks)."""
    parsed = parse_query(query)
    folded = _fts_query(parsed, _folded_clause, True)
    marked = any(has_marks(t.text) for t in parsed.terms)
    return folded, (_fts_query(parsed, _exact_clause, False) if marked else None)


@dataclass
class SearchFilters:
    type: str | None = None  # BC, QĐ/QD, "báo cáo"...
    date_from: str | None = None  # ISO date (or YYYY, YYYY-MM)
    date_to: str | None = None
    issuer: str | None = None  # any part of the issuer, marks optional

    @classmethod
    def coerce(cls, value: SearchFilters | Mapping[str, Any] | None) -> SearchFilters:
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        aliases = {"from": "date_from", "to": "date_to", "doc_type": "type"}
        data = {aliases.get(k, k): v for k, v in dict(value).items() if v not in (None, "")}
        unknown = set(data) - {"type", "date_from", "date_to", "issuer"}
        if unknown:
            raise SearchError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        return cls(**data)


def _date_bound(value: str, end: bool) -> str:
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return f"{value}-12-31" if end else f"{value}-01-01"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = map(int, value.split("-"))
            if end:
                nxt = _date(year + month // 12, month % 12 + 1, 1)
                return _date.fromordinal(nxt.toordinal() - 1).isoformat()
            return _date(year, month, 1).isoformat()
        return _date.fromisoformat(value).isoformat()
    except ValueError:
        raise SearchError(f"{value!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM, YYYY)") from None


@dataclass
class Hit:
    document: str  # the document JSON, relative to `root`
    root: str  # the output folder that was indexed
    name: str | None
    number: str | None
    type_code: str | None
    doc_type: str | None
    date: str | None
    issuer: str | None
    subject: str | None
    section: str  # section path, `II > 2 > 2.1` ("" for the header, preamble, signature)
    section_title: str
    kind: str
    page: int | None  # the page of the first match
    page_start: int | None
    page_end: int | None
    snippet: str  # original accented text around the matches
    highlights: list[tuple[int, int]]  # [start, end) of each match in `snippet`
    title_highlights: list[tuple[int, int]]  # matches in `section_title`
    score: float  # bm25 (higher is better)
    exact: bool  # the marks typed in the query match exactly
    version: int | None = None

    @property
    def json_path(self) -> Path:
        return Path(self.root) / self.document

    @property
    def doc_id(self) -> str:
        """The document's name in the review app: its JSON path under OUT without `.json`."""
        return self.document[: -len(".json")] if self.document.endswith(".json") else self.document

    @property
    def where(self) -> str:
        """Where in the document: the section path, or what part of the document the row is."""
        return self.section or KIND_LABELS.get(self.kind, "")

    def marked(self, open_: str = "[", close: str = "]", text: str | None = None,
               spans: list[tuple[int, int]] | None = None) -> str:
        """The snippet with each match wrapped in `open_`...`close`."""
        text = self.snippet if text is None else text
        spans = self.highlights if spans is None else spans
        out, last = [], 0
        for a, b in spans:
            out += [text[last:a], open_, text[a:b], close]
            last = b
        out.append(text[last:])
        return "".join(out)

    def snippet_html(self) -> str:
        """The snippet as HTML, matches in <mark>, everything else escaped."""
        out, last = [], 0
        for a, b in self.highlights:
            out += [escape(self.snippet[last:a]), "<mark>", escape(self.snippet[a:b]), "</mark>"]
            last = b
        out.append(escape(self.snippet[last:]))
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(s) for s in self.highlights]
        data["title_highlights"] = [list(s) for s in self.title_highlights]
        data["snippet_html"] = self.snippet_html()
        data["doc_id"] = self.doc_id
        data["where"] = self.where
        return data


def _unmark(highlighted: str, original: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Map FTS5 `highlight()` output over the folded text back onto the original: (original, match spans)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    start = None
    for ch in highlighted:
        if ch == _HL_OPEN:
            start = pos
        elif ch == _HL_CLOSE:
            if start is not None:
                spans.append((start, pos))
            start = None
        else:
            pos += 1
    if pos != len(original):
        return None
    return original, spans


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[str, list[tuple[int, int]]]:
    """A snippet of about `width` characters around the densest run of matches, cut at word boundaries."""
    flat = text.replace("\n", " ")
    if len(flat) <= width:
        return flat, spans
    anchor, best, j = (0, 0), 0, 0
    for i, span in enumerate(spans):  # the match that starts the densest run within two thirds of the width
        j = max(j, i)
        while j < len(spans) and spans[j][0] < span[0] + width * 2 // 3:
            j += 1
        if j - i > best:
            anchor, best = span, j - i
    lo = max(0, anchor[0] - width // 4)
    hi = min(len(flat), lo + width)
    lo = max(0, hi - width)
    if lo > 0:
        space = flat.find(" ", lo, min(anchor[0], lo + 15))
        lo = space + 1 if space >= 0 else lo
    if hi < len(flat):
        space = flat.rfind(" ", max(lo, hi - 15), hi)
        hi = space if space >= anchor[1] else hi
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(flat) else ""
    shift = len(prefix) - lo
    kept = [(a + shift, b + shift) for a, b in spans if a >= lo and b <= hi]
    return prefix + flat[lo:hi] + suffix, kept


def search(db: str | os.PathLike | sqlite3.Connection, query: str,
           filters: SearchFilters | Mapping[str, Any] | None = None, *, limit: int = 20, offset: int = 0,
           snippet_chars: int = 220) -> list[Hit]:
    """Ranked hits for `query` in the index `db`: mark-exact matches first (when the query has marks), then bm25."""
    if limit < 1 or offset < 0:
        raise SearchError("the number of hits must be at least 1 (and the offset not negative)")
    folded_q, exact_q = fts_queries(query)
    f = SearchFilters.coerce(filters)
    where, params = ["fts MATCH ?"], [folded_q]
    if f.type:
        key = " ".join(fold(nfc(f.type)).upper().split())
        key = TYPE_ALIASES.get(key, key)
        where.append("(d.type_key = ? OR d.doctype_key = ?)")
        params += [key, key]
    if f.date_from:
        where.append("d.date >= ?")
        params.append(_date_bound(f.date_from, end=False))
    if f.date_to:
        where.append("d.date <= ?")
        params.append(_date_bound(f.date_to, end=True))
    if f.issuer:
        key = " ".join(fold_aligned(nfc(f.issuer)).lower().split())
        where.append("d.issuer_key LIKE ? ESCAPE '\\'")
        params.append("%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    exact_sql = "(fts.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))" if exact_q else "0"
    # first the ranking alone (cheap), then snippets and fields for the page of hits only
    # (without filters, no join: a row lookup per match would double the time of common words)
    joins = "JOIN sections s ON s.id = fts.rowid JOIN docs d ON d.id = s.doc_id" if len(where) > 1 else ""
    rank_sql = f"""
        SELECT fts.rowid, {exact_sql} AS exact, bm25(fts, 3.0, 1.0, 0.0, 0.0) AS score
        FROM fts {joins}
        WHERE {' AND '.join(where)}
        ORDER BY exact DESC, score, fts.rowid
        LIMIT ? OFFSET ?"""
    args = ([exact_q] if exact_q else []) + params + [int(limit), int(offset)]
    own = not isinstance(db, sqlite3.Connection)
    conn = connect(db) if own else db
    try:
        ranked = conn.execute(rank_sql, args).fetchall()
        found: dict[int, tuple] = {}
        if ranked:
            marks = ", ".join("?" for _ in ranked)
            fetch_sql = f"""
                SELECT fts.rowid, highlight(fts, 0, '{_HL_OPEN}', '{_HL_CLOSE}'), highlight(fts, 1, '{_HL_OPEN}', '{_HL_CLOSE}'),
                       s.path, s.label, s.title, s.text, s.kind, s.page_start, s.page_end, s.page_marks,
                       d.root, d.path, d.name, d.number, d.type_code, d.doc_type, d.date, d.issuer, d.subject, d.version
                FROM fts JOIN sections s ON s.id = fts.rowid JOIN docs d ON d.id = s.doc_id
                WHERE fts MATCH ? AND fts.rowid IN ({marks})"""
            found = {row[0]: row[1:] for row in conn.execute(fetch_sql, [folded_q, *(r[0] for r in ranked)])}
    except sqlite3.OperationalError as exc:
        raise SearchError(f"the search failed: {exc}") from exc
    finally:
        if own:
            conn.close()
    rows = [(exact, score, *found[rowid]) for rowid, exact, score in ranked if rowid in found]
    typed = _typed_marks(parse_query(query).terms) if exact_q else None
    return [_hit(row, snippet_chars, typed) for row in rows]


def _typed_marks(terms: list[Term]) -> list[tuple[list[str | None], bool]]:
    """For each term, its words as typed (mark-exact form, or None for a word typed without marks) and prefix."""
    return [([exact_text(t).lower() if has_marks(t) else None for t in term.tokens], term.prefix) for term in terms]


def _exact_spans(text: str, spans: list[tuple[int, int]], typed: list[tuple[list[str | None], bool]]) -> list[tuple[int, int]]:
    """In a mark-exact hit, highlight only the matches with the typed marks (`đồng`, not `động`)."""

    def accepts(got: list[str], want: list[str | None], prefix: bool) -> bool:
        if len(got) != len(want):
            return False
        last = len(want) - 1
        return all(w is None or (g.startswith(w) if prefix and i == last else g == w) for i, (g, w) in enumerate(zip(got, want)))

    kept = []
    for a, b in spans:
        got = [exact_text(t).lower() for t in TOKEN_RE.findall(text[a:b])]
        if any(accepts(got, want, prefix) for want, prefix in typed):
            kept.append((a, b))
    return kept or spans


def _hit(row: tuple, snippet_chars: int, typed: list[tuple[list[str | None], bool]] | None = None) -> Hit:
    (exact, score, hl_title, hl_body, path, label, title, text, kind, page_start, page_end, page_marks,
     root, rel, name, number, type_code, doc_type, date, issuer, subject, version) = row
    body = _unmark(hl_body, text) or (text, [])
    cut = len(label) + 1 if label else 0  # the title column holds `label title`; the hit shows the title
    head = _unmark(hl_title, f"{label} {title}" if label else title) or ("", [])
    head = (title, [(a - cut, b - cut) for a, b in head[1] if a >= cut])
    if exact and typed:
        body = (body[0], _exact_spans(body[0], body[1], typed))
        head = (head[0], _exact_spans(head[0], head[1], typed))
    section = Section([], title, text, kind, page_start, page_end, [tuple(m) for m in json.loads(page_marks or "[]")])
    page = section.page_at(body[1][0][0]) if body[1] else page_start
    if not body[0]:
        body = head  # a heading without text of its own: show the heading
    snippet, spans = _window(body[0], body[1], snippet_chars)
    return Hit(
        document=rel, root=root, name=name, number=number, type_code=type_code, doc_type=doc_type, date=date,
        issuer=issuer, subject=subject, section=path, section_title=title, kind=kind, page=page,
        page_start=page_start, page_end=page_end, snippet=snippet, highlights=spans, title_highlights=head[1],
        score=-float(score), exact=bool(exact), version=version,
    )


def stats(db: str | os.PathLike) -> dict[str, int]:
    conn = connect(db)
    try:
        docs, pages = conn.execute("SELECT count(*), coalesce(sum(pages), 0) FROM docs").fetchone()
        sections = conn.execute("SELECT count(*) FROM sections").fetchone()[0]
    finally:
        conn.close()
    return {"documents": docs, "pages": pages, "sections": sections}
