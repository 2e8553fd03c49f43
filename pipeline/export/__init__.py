"""Export: takes the document JSONs of an output folder; gives them in other formats for other systems
(`formats.FORMATS`): OpenSearch/Elasticsearch bulk NDJSON, ALTO v4 XML per page, searchable PDF.

`common` reads the documents and writes files atomically, `page` is the page view every format renders,
one module per format, and `formats.export` picks the writer.
"""
