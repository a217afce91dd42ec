"""The two-ended paginator gives exactly Django's pages, reading late pages from the other end."""
import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groupclients.models import GroupCustomer
from portal.pagination import TwoEndedPaginator
from tests.factories import GroupFactory


@pytest.mark.parametrize("per_page, orphans", [(3, 0), (4, 1), (5, 2)])
def test_same_pages_as_django(org, people, per_page, orphans):
    for i in range(17):
        GroupFactory(name=f"组{i % 5}-{i:02d}", unit=org["u11"], account_manager=people["am1"])
    qs = GroupCustomer.objects.order_by("name", "pk")
    ours, django = TwoEndedPaginator(qs, per_page, orphans=orphans), Paginator(qs, per_page, orphans=orphans)
    assert ours.num_pages == django.num_pages
    for n in django.page_range:
        assert [g.pk for g in ours.page(n)] == [g.pk for g in django.page(n)], n


def test_last_page_reads_from_the_other_end(org, people):
    for i in range(12):
        GroupFactory(name=f"组{i:02d}", unit=org["u11"], account_manager=people["am1"])
    p = TwoEndedPaginator(GroupCustomer.objects.order_by("name", "pk"), 5)
    p.count  # noqa: B018 — the count query, outside the capture
    with CaptureQueriesContext(connection) as ctx:
        rows = list(p.page(3))
    assert [g.name for g in rows] == ["组10", "组11"]
    sql = ctx.captured_queries[-1]["sql"]
    assert '"name" DESC' in sql and "OFFSET" not in sql.upper()  # 2 rows from the end, nothing skipped
