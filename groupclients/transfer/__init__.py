"""Spreadsheet import and export of groups, sites, contacts and members (SPEC GC-8, ORG-3, ORG-4).

Import: read every row, validate every row (reporting each bad row with its reason), and only if
all are good apply them inside one transaction — an import never half-applies. Progress of the
apply is published in the cache so the page can show it while a Celery worker does the work.
Export: the rows the user may see, with personal data masked unless they own the record.

cells.py reads cells, kinds.py holds the kinds (columns, row → object, save through the services;
the billing feeds register theirs from groupclients.billing.feeds), run.py runs an import job,
export.py writes templates and exports.

Why not django-import-export (issue 14 item 5) — measured with bench/transfer_library.py
(SQLite, the shared 2-core machine, 2026-12-03; `pip install -e '.[bench]'` to rerun):

  case                                        here                      django-import-export 4.4.3
  check an import of 2 000 new members        3.6 s                     43.3 s (dry run, 12x)
  export 20 000 members as .xlsx              8.0 s, 6.7 MiB peak       9.7 s, 53.1 MiB peak (8x)
  a 150 000-row CSV (over IMPORT_MAX_ROWS)    0.16 s, 49 MiB, refused   1.7 s, 106 MiB, then refused

- Checking: its dry run saves every row and rolls it back (a savepoint and the writes per row) and
  resolves each foreign key per row; here the reference data is read once per file (`Lookups`) and
  nothing is written until every row is good. Its resource also checks less: ORG-3 scope, the
  ownership rules and duplicate rows would be ours to add on top.
- Export: `Resource.export()` builds the whole tablib Dataset in memory before writing it; here the
  rows stream from `.iterator()` into a write-only workbook, so memory stays flat with scope size.
- Reading: tablib loads the whole file before anything can count rows; `import_files.read_table`
  counts the row and cell limits while reading and stops at the first row over them (issue 12 item 8).
- What it would bring — dry run, per-row errors, one transaction, xlsx/csv — is here already, with
  GBK CSV, stale `<dimension>`, the formula guard, progress and stale-job expiry that it lacks; the
  billing feeds go through set-based bulk services that its row-by-row import would bypass.
The admin does not edit these rows in bulk (ARCHITECTURE: the admin is for policy and repair), so
its admin integration is not a reason on its own.
"""
from accounts.masking import mask_date, mask_mobile

from .cells import Col, RowError
from .export import EXPORT_FORMATS, EXPORT_KINDS, export_workbook, template_workbook
from .kinds import KINDS, Kind, register_kind
from .run import import_expire_if_stale, progress_key, progress_publish, read_rows, run_import, validate

__all__ = ["KINDS", "Col", "Kind", "RowError", "register_kind", "read_rows", "validate", "run_import",
           "progress_key", "progress_publish", "import_expire_if_stale", "template_workbook", "export_workbook",
           "EXPORT_KINDS", "EXPORT_FORMATS", "mask_mobile", "mask_date"]
