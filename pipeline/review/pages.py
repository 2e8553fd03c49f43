"""The pages of the review app: one fixed HTML shell per view, with the page token and the links to every view.

The shell holds no data: each view's script (`static/<view>.js`) fetches it as JSON.
"""

from __future__ import annotations

import html
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse

PACKAGE = resources.files("pipeline.review")
VIEWS = {
    "overview": ("Overview", "overview.js"),
    "list": ("Documents", "list.js"),
    "queue": ("Word queue", "queue.js"),
    "page": ("Page", "pageview.js"),
    "batch": ("Batch fix", "batch.js"),
}
NAV = [("Overview", "/"), ("Documents", "/documents"), ("Word queue", "/queue"), ("Batch fix", "/batch"), ("Search", "/search")]


def shell(request: Request, view: str) -> HTMLResponse:
    """The page for a view: a fixed HTML shell with the token; the view's script fetches the data."""
    title, script = VIEWS.get(view, (view.title(), f"{view}.js"))
    nav = "".join(
        f'<a href="{html.escape(path)}">{html.escape(label)}</a>' for label, path in NAV
    )
    page = request.app.state.shell_template.format(
        token=html.escape(request.app.state.token),
        title=html.escape(title),
        script=html.escape(script),
        view=html.escape(view),
        nav=nav,
    )
    return HTMLResponse(page, headers={"cache-control": "no-store"})
