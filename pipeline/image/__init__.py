"""Image stages: take a PDF or image input; give its pages as grayscale images (`raster`, with `poppler`),
prepared for OCR (`preprocess`), read by Tesseract (`tesseract`) into words, and grouped into lines in
reading order (`ocr`).
"""
