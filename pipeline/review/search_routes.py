"""The search page of the review app (search itself lives in `pipeline/search/`).

`routes()` returns the Starlette routes search adds; `app.create_app` mounts them
(the page header's link is in `pages.NAV`).

- `GET /search`: the shell with `static/search.js` (query box, filters, results);
- `GET /api/search?q=&type=&from=&to=&issuer=&limit=&offset=`: hits as JSON;
- `GET /api/search/types`: the document types the type filter offers.

The index is `OUT/search.sqlite`. Before each query it is brought up to date
with `search.index.build_index`, which is incremental (a document JSON whose size and
mtime are those indexed is not read again), so the first search builds it and a
clerk's saved correction is findable on the next search. Refreshes are
serialized; a request that waited for another request's refresh does not run
its own (that refresh started after it arrived, so it already saw the folder as
this request did).

Safety: both endpoints are GETs whose only effect is refreshing the index; no
parameter names a file (the index path is fixed under OUT); hits carry text
only, the snippet already split into plain and matched parts, which
`search.js` puts in the page with `textContent` (matches in `<mark>` elements
it creates) — no HTML is ever built from data; hits from another folder that
shares the index file are dropped, and no absolute path is sent.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import SearchError
from ..layout.patterns import DOC_TYPES
from ..search.index import IndexReport, build_index
from ..search.query import Hit, search
from .pages import shell

log = logging.getLogger(__name__)

INDEX_NAME = "search.sqlite"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_QUERY = 500
MAX_FILTER = 200


class SearchIndex:
    """The index of one review folder, refreshed (incrementally) before each query."""

    def __init__(self, root: Path, db: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.db = Path(db) if db is not None else self.root / INDEX_NAME
        self._lock = threading.Lock()
        self._last_start = 0.0  # monotonic time the last refresh started
        self.last_report: IndexReport | None = None

    def refresh(self) -> None:
        """Bring the index up to date with OUT, unless a refresh started since this call was made."""
        asked = time.monotonic()
        with self._lock:
            if self._last_start > asked:
                return  # another request's refresh began after we asked: it covers us
            self._last_start = time.monotonic()
            try:
                self.last_report = build_index(self.root, self.db)
            except (OSError, sqlite3.Error, SearchError) as exc:
                if not self.db.exists():
                    raise SearchError(f"the search index could not be built: {exc}") from exc
                log.warning("%s: refreshing the search index failed (%s); searching the index as it is", self.db, exc)

    def search(self, query: str, filters: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
        self.refresh()
        found = search(self.db, query, filters, limit=limit + 1, offset=offset)
        root = str(self.root)
        hits = [hit_view(h) for h in found[:limit] if Path(h.root) == Path(root)]
        return {"query": query, "hits": hits, "offset": offset, "limit": limit, "more": len(found) > limit}


def parts(text: str, spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """`text` cut at the match spans: [{text, mark}], in order, covering all of `text` once."""
    out: list[dict[str, Any]] = []
    last = 0
    for a, b in sorted((int(a), int(b)) for a, b in spans):
        a, b = max(a, last), min(b, len(text))
        if b <= a:
            continue
        if a > last:
            out.append({"text": text[last:a], "mark": False})
        out.append({"text": text[a:b], "mark": True})
        last = b
    if last < len(text):
        out.append({"text": text[last:], "mark": False})
    return out


def hit_view(hit: Hit) -> dict[str, Any]:
    """What the page shows of a hit (no server paths)."""
    return {
        "doc": hit.doc_id,
        "name": hit.name,
        "number": hit.number,
        "type_code": hit.type_code,
        "doc_type": hit.doc_type,
        "date": hit.date,
        "issuer": hit.issuer,
        "subject": hit.subject,
        "section": hit.section,
        "section_title": hit.section_title,
        "where": hit.where,
        "kind": hit.kind,
        "page": hit.page,
        "page_start": hit.page_start,
        "page_end": hit.page_end,
        "snippet": hit.snippet,
        "parts": parts(hit.snippet, hit.highlights),
        "title_parts": parts(hit.section_title, hit.title_highlights),
        "exact": hit.exact,
        "version": hit.version,
    }


_INDEX_LOCK = threading.Lock()  # one SearchIndex per app, made by the first search


def _index(request: Request) -> SearchIndex:
    state = request.app.state
    index = getattr(state, "search_index", None)
    if index is None:
        with _INDEX_LOCK:
            index = getattr(state, "search_index", None)
            if index is None:
                index = SearchIndex(state.archive.root, getattr(state, "search_db", None))
                state.search_index = index
    return index


def _bounded_int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        number = default
    return min(max(number, low), high)


def _error(message: str, status: int = 400) -> Response:
    return JSONResponse({"error": message}, status)


async def page(request: Request) -> Response:
    return shell(request, "search")


async def api_search(request: Request) -> Response:
    q = request.query_params
    query = (q.get("q") or "").strip()
    if not query:
        return _error("type one or more words to search for")
    if len(query) > MAX_QUERY:
        return _error(f"the query is too long (at most {MAX_QUERY} characters)")
    filters = {"type": q.get("type"), "date_from": q.get("from"), "date_to": q.get("to"), "issuer": q.get("issuer")}
    filters = {k: v.strip() for k, v in filters.items() if v and v.strip()}
    if any(len(v) > MAX_FILTER for v in filters.values()):
        return _error(f"a filter is too long (at most {MAX_FILTER} characters)")
    limit = _bounded_int(q.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _bounded_int(q.get("offset"), 0, 0, MAX_OFFSET)
    try:
        result = await run_in_threadpool(_index(request).search, query, filters, limit, offset)
    except SearchError as exc:
        return _error(str(exc))
    return JSONResponse(result, headers={"cache-control": "no-store"})


async def api_types(request: Request) -> Response:
    types = [{"code": code or "CV", "name": name} for name, code in DOC_TYPES.items()]
    return JSONResponse({"types": types})


def routes() -> list[BaseRoute]:
    return [
        Route("/search", page),
        Route("/api/search", api_search),
        Route("/api/search/types", api_types),
    ]
