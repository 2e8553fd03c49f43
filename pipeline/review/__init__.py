"""Review: a local web app where clerks check the words the machine flagged (`vnocr review OUT`).

`archive.py` reads and saves the documents under OUT (corrections, audit log,
learning files); `edits.py` holds the pure text rules of an edit; `app.py`
serves it over HTTP and `serve.py` runs it; `templates/shell.html` and
`static/` are the pages (plain JS and CSS, no build step);
`search_routes.py` is where the search page plugs in.
"""

from .app import create_app

__all__ = ["create_app"]
