"""vnocr: scanned Vietnamese administrative documents to clean, accented, structured, searchable text."""

__version__ = "0.1.0"
