"""The search page's place in the review app (search itself lives in `pipeline/search.py`).

`routes()` returns the Starlette routes search adds (for instance `GET /search`, the
results page, and `GET /api/search`, results as JSON); `NAV` the links it adds to the
page header as (label, path). Both stay empty until the search page is written;
`app.create_app` mounts whatever they hold. A route finds the archive being
reviewed at `request.app.state.archive` (an `archive.Archive`, whose `root` is
OUT); a page reuses the shell with `shell(request, "search")` (import it from
`.app` inside the endpoint: app imports this module) plus a `static/search.js`,
which gets the helpers of `static/common.js` (`VN.el`, `VN.get`...).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

NAV: list[tuple[str, str]] = []


def routes() -> list[BaseRoute]:
    return []
