"""Search: takes the document JSONs of an output folder; gives an SQLite FTS5 index of their sections
(accent- and đ-insensitive, kept up to date incrementally) and ranked hits for a query.

`folding` (marks removed offset for offset), `documents` (a document's header fields and index rows),
`index` (building the index), `query` (parsing a query and ranking hits).
"""
