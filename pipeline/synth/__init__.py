"""Synthetic scans, for samples, tests and training the OCR confusion model (never used by a run): takes a
document written as plain text (`parse`); gives clean A4 pages laid out after Decree 30/2020 (`page`, with
`fonts`), made to look scanned and saved as a scanner's PDF (`scan`).
"""
