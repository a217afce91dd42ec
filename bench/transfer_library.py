"""Measurement (issue 14 item 5): groupclients.transfer against django-import-export for the same work.

    .venv/bin/pip install -e '.[bench]'         # django-import-export (not a runtime dependency)
    .venv/bin/python bench/transfer_library.py [--rows 5000] [--export-rows 20000] [--json out.json]

A throw-away SQLite database (`/tmp/gcportal-transfer-bench.sqlite3`, migrated afresh). Three cases,
each timed once after a warm-up, with its SQL query count, and the Python heap peak of another run\n(tracemalloc):

1. check an import of `--rows` new members — `transfer.validate` (ORG-3 scope, ownership, VIP/billing
   choices, duplicates) against a `ModelResource` with `ForeignKeyWidget`s for group and product,
   `import_data(dry_run=True)`, which checks less (no scope, no ownership) and so is flattered;
2. export `--export-rows` members — `transfer.export_workbook` (scoped, masked, streamed to a
   write-only workbook) against `Resource.export()` → `Dataset.export("xlsx")`;
3. a CSV of 150 000 rows (over IMPORT_MAX_ROWS): `transfer.read_rows`, which stops at the cap, against
   `tablib.Dataset().load()`, which django-import-export's import form calls on the whole file first.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = Path("/tmp/gcportal-transfer-bench.sqlite3")


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    DB.unlink(missing_ok=True)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def measure(fn):
    """Time and queries of one run, then the heap peak of another (tracemalloc slows what it traces)."""
    from django.db import connection

    n = [0]

    def count(execute, sql, params, many, context):
        n[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        t = time.perf_counter()
        out = fn()
        ms = (time.perf_counter() - t) * 1000
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, {"ms": round(ms), "queries": n[0], "peak_mib": round(peak, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--export-rows", type=int, default=20000)
    ap.add_argument("--json")
    args = ap.parse_args()
    setup()

    import tablib
    from django.db import transaction
    from import_export import fields, resources, widgets

    from accounts.models import OrgUnit
    from accounts.services import orgunit_create
    from groupclients import transfer
    from groupclients.models import GroupCustomer, Member, Product
    from groupclients.selectors import groups_in_scope, member_list_for_user
    from tests.factories import GroupFactory, UserFactory

    p = orgunit_create(code="P", name="省公司", level=OrgUnit.Level.PROVINCE)
    b = orgunit_create(code="B1", name="杭州分公司", level=OrgUnit.Level.BRANCH, parent=p)
    u = orgunit_create(code="U11", name="西湖", level=OrgUnit.Level.UNIT, parent=b)
    am = UserFactory(username="am1", unit=u, roles=["am"])
    admin = UserFactory(username="admin", unit=p, roles=["admin"])
    groups = [GroupFactory(unit=u, account_manager=am) for _ in range(20)]
    product = Product.objects.order_by("pk").first()

    rows = [{"group_code": groups[i % 20].code, "mobile": f"139{i:08d}", "name": f"成员{i}",
             "product": product.code if product else "", "vip_tier": "gold" if i % 7 == 0 else "",
             "billing_type": "postpaid", "status": "active"} for i in range(args.rows)]

    class MemberResource(resources.ModelResource):
        group = fields.Field(attribute="group", column_name="group_code",
                             widget=widgets.ForeignKeyWidget(GroupCustomer, "code"))
        product = fields.Field(attribute="product", column_name="product",
                               widget=widgets.ForeignKeyWidget(Product, "code"))

        class Meta:
            model = Member
            fields = ("group", "mobile", "name", "product", "vip_tier", "billing_type", "status")
            import_id_fields = ("mobile",)

    results = []

    def case(name, fn):
        fn()  # warm-up (caches, imports)
        _out, m = measure(fn)
        results.append({"case": name, **m})
        print(f"{name:<48} {m['ms']:>7} ms {m['queries']:>7} queries {m['peak_mib']:>7} MiB")

    # 1. checking an import of new members
    case(f"import check {args.rows} members: transfer.validate",
         lambda: transfer.validate(transfer.KINDS["members"], rows, admin, groups_in_scope(admin, "write")))
    ds = tablib.Dataset(headers=list(rows[0]))
    for r in rows:
        ds.append(list(r.values()))

    def ie_check():
        res = MemberResource().import_data(ds, dry_run=True, raise_errors=False)
        assert not res.has_errors() and not res.has_validation_errors(), res
        return res

    case(f"import check {args.rows} members: import-export dry run", ie_check)

    # 2. exporting members
    with transaction.atomic():
        Member.objects.bulk_create(Member(group=groups[i % 20], mobile=f"138{i:08d}", name=f"成员{i}",
                                          product=product) for i in range(args.export_rows))
    case(f"export {args.export_rows} members xlsx: transfer.export_workbook",
         lambda: transfer.export_workbook("members", admin, fmt="xlsx"))

    class MemberExport(resources.ModelResource):
        group_code = fields.Field(attribute="group__code")
        product_code = fields.Field(attribute="product__code")

        class Meta:
            model = Member
            fields = ("group_code", "mobile", "name", "product_code", "vip_tier", "billing_type", "status")

    case(f"export {args.export_rows} members xlsx: import-export",
         lambda: MemberExport().export(queryset=member_list_for_user(admin)).export("xlsx"))

    # 3. an over-limit CSV
    big = ("集团编码,手机号码,姓名,产品编码,VIP等级,付费类型,状态\n"
           + "".join(f"{groups[0].code},137{i:08d},成员{i},,,postpaid,active\n" for i in range(150_000)))
    raw = big.encode("utf-8")

    def ours_read():
        try:
            transfer.read_rows(transfer.KINDS["members"], io.BytesIO(raw), "big.csv")
        except ValueError as e:
            return str(e)
        raise AssertionError("the cap did not stop the read")

    case("read 150000-row CSV: transfer.read_rows (capped)", ours_read)
    case("read 150000-row CSV: tablib Dataset.load", lambda: tablib.Dataset().load(big, format="csv"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
