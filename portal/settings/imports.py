"""Spreadsheet imports (GC-8, issue 12 item 8): limits that protect the server, from the environment.

Counted while the file is read, row by row (not by the upload's compressed size)."""
from .env import env

IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)  # data rows per file (the header aside)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=400_000)  # cells of the non-empty rows per file
# An import still "checking" or "applying" with no progress for this long is marked failed.
IMPORT_STALE_MINUTES = env.int("IMPORT_STALE_MINUTES", default=30)
