"""vnocr: scanned Vietnamese administrative documents to clean, accented, structured, searchable text."""

import os

# numpy asks the kernel for huge pages for its large arrays; building the language model's index in them stalled
# a worker's load now and then (kernel compaction): 0.41-1.32 s over 33 loads, against 0.46-0.51 s without them,
# repair's speed the same within the machine's noise (first sight 14,600-16,300 syllables/s either way). Set
# before numpy is imported; a user's own setting wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

__version__ = "0.1.0"
