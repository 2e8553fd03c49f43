"""Review: takes an output folder; gives the clerks a local web app to check the words the machine flagged
(`vnocr review OUT`), and gives back the documents with their corrections, `OUT/audit.jsonl` and the learning
files under `OUT/corrections/`.

`archive.py` reads and saves the documents under OUT (corrections, audit log,
learning files); `edits.py` holds the pure text rules of an edit; `views.py`
what the page shows of words and documents; `app.py` serves it over HTTP and
`serve.py` runs it; `pages.py` is the shell of every page, with
`templates/shell.html` and `static/` (plain JS and CSS, no build step);
`search_routes.py` is where the search page plugs in.

The Overview (the app's first page, and `OUT/report.html` written by every run): `figures.py` keeps
the archive's figures in `OUT/.overview.json` (made once per run, updated by each save),
`overview.py` makes them into sections, `charts.py` lays out their charts as SVG shapes, which
`report.py` and `static/overview.js` draw.
"""
