"""Issue 7, "Done when", followed literally with the test client:

  manager1 opens the dashboard, sees last month's figures for the branch with charts, clicks the
  visit-compliance figure down to the overdue groups of one AM, exports the table, and an
  administrator changes the C-class visit period and sees the compliance figures change.

The clock is set to 12 August 2025, so "last month" is July 2025 and the current month is August,
on the records of the June fixture (tests/kpi/conftest.py). Worked out by hand for branch B1 (units
U11 and U12: groups g1 g3 g4 g5, contacts c1 p1 p4 x3):

  July (closed; as of 1 August; one-month period July, two-month period Jul–Aug)
    g1 A group, last visit 10 Jun   → due (visited in the previous one-month period, June)
    g3 C group, visited 5 Jul       → done
    g4 C group, last visit 15 Mar   → overdue
    g5 C prospect, never visited    → overdue
    c1 A decision-maker (2 months), 10 Jun → due;  p1 A primary, never → overdue
    p4 C primary, never → overdue;  x3 C department head, visited 5 Jul → done
    → visit compliance 2 of 8 = 25.0 %; the overdue groups of am3 are exactly [g5]
  August (live, as of 12 August)
    g1 → overdue (not visited in July); g3 → done (C period Jul–Aug); contacts as in July
    → 2 of 8 = 25.0 %
    the administrator makes class C groups monthly: g3's period is August now, and its July
    visit only makes it due → 1 of 8 = 12.5 %; July, closed, keeps 25.0 %.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.kpi.conftest import at

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2025, 8, 12, 10, 0))
JULY, AUGUST = "2025-07", "2025-08"


@pytest.fixture
def august(june, monkeypatch):
    """The June fixture, seen on 12 August 2025, with the derived last-visit columns the visit
    services keep (the fixture writes its visit logs directly; the live month reads the columns)."""
    from groupclients.models import Contact, GroupCustomer

    jun10, may20, jul5, mar15 = dt.date(2025, 6, 10), dt.date(2025, 5, 20), dt.date(2025, 7, 5), dt.date(2025, 3, 15)
    for key, day in (("g1", jun10), ("g2", may20), ("g3", jul5), ("g4", mar15)):
        GroupCustomer.objects.filter(pk=june[key].pk).update(last_visited_on=day)
    for key, day in (("c1", jun10), ("c2", may20), ("x3", jul5)):
        Contact.objects.filter(pk=june[key].pk).update(last_visited_on=day)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return june


def _split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def _figures(report) -> tuple[dict, dict, float | None]:
    g, c = report.figures["visits_groups"], report.figures["visits_contacts"]
    return (
        {s: g[s] for s in ("done", "due", "overdue")},
        {s: c[s] for s in ("done", "due", "overdue")},
        report.metrics["visit_rate"],
    )


def test_done_when(august, people, client_for, api_for):
    from portal.kpi.closing import month_close
    from portal.models import AuditEvent
    from visits.models import VisitFrequency

    june = august
    assert month_close()["month"] == JULY  # the job's default: last month

    # 1. manager1 opens the dashboard: last month, their branch, closed, with charts
    manager = client_for(people["manager1"])
    r = manager.get("/kpi/")
    assert r.status_code == 200
    report = r.context["report"]
    assert (report.scope.node.code, report.window.label, report.closed) == ("B1", JULY, True)
    groups, contacts, rate = _figures(report)
    assert groups == {"done": 1, "due": 1, "overdue": 2}
    assert contacts == {"done": 1, "due": 1, "overdue": 2}
    assert rate == 25.0
    html = r.content.decode()
    assert 'id="kpi-state"' in html and report.state.status == "closed"
    for chart in ("chart-trend", "chart-compliance", "chart-tickets", "chart-units"):
        body = html.split(f'id="{chart}"', 1)[1][:400]
        assert "<svg" in body, chart  # drawn on the server, nothing to fetch
    # offline: every script and stylesheet comes from our own static files, no CDN
    assert "cdn" not in html.lower()
    for ref in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert ref.startswith("/static/"), ref
    # the branch's units are ranked on the page
    assert {r.node.code for r in report.units} == {"U11", "U12"}

    # 2. the visit-compliance figure links to the records behind it: the branch's overdue obligations
    card = next(f for f in r.context["headline"] if f["fig"].target == "visit_rate")
    assert card["text"] == "25.0 %"
    assert card["url"].replace("&", "&amp;") in html
    path, query = _split(card["url"])
    assert path == "/kpi/records/visits_groups/"
    assert query == {"scope": "B1", "month": JULY, "part": "overdue"}
    r = manager.get(card["url"])
    assert r.status_code == 200
    assert sorted(row[0][0] for row in r.context["rows"]) == sorted([june["g4"].name, june["g5"].name])
    # … and down to one AM: the page offers the branch's AMs; am3's overdue groups are g5 only
    # (g3 was visited on 5 July, so it is done in July)
    assert people["am3"] in r.context["ams"] and people["am2"] not in r.context["ams"]
    r = manager.get(card["url"] + f"&am={people['am3'].pk}")
    assert r.status_code == 200
    assert [row[0][0] for row in r.context["rows"]] == [june["g5"].name]
    assert r.context["page"].paginator.count == 1

    # 3. export that table to Excel
    x = manager.get(r.context["export_url"])
    assert x.status_code == 200
    assert x["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert x["Content-Disposition"].startswith("attachment;") and x["Content-Disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert rows[1] == [str(c.header) for c in r.context["columns"]]
    assert [row[0] for row in rows[2:]] == [june["g5"].name]
    assert rows[2][1] == "C" and rows[2][2] == str(people["am3"])
    assert AuditEvent.objects.filter(
        action="export", actor=people["manager1"], target_type="kpi.records.visits_groups"
    ).exists()

    # 4. the live month before the change
    live = manager.get(f"/kpi/?month={AUGUST}").context["report"]
    assert live.window.live and not live.closed
    assert _figures(live) == ({"done": 1, "due": 0, "overdue": 3}, {"done": 1, "due": 1, "overdue": 2}, 25.0)

    # 5. an administrator makes class C groups monthly, in the admin site
    admin = client_for(people["admin"])
    assert admin.get("/admin/visits/visitfrequency/").status_code == 200
    row = VisitFrequency.objects.get(grade="C", target="group")
    change = f"/admin/visits/visitfrequency/{row.pk}/change/"
    assert admin.get(change).status_code == 200
    bad = admin.post(change, {"period_months": 5})  # must divide the year
    assert bad.status_code == 200 and VisitFrequency.objects.get(pk=row.pk).period_months == 2
    done = admin.post(change, {"period_months": 1, "_save": "Save"})
    assert done.status_code == 302
    assert VisitFrequency.objects.get(pk=row.pk).period_months == 1
    event = AuditEvent.objects.get(action="policy_changed", target_type="visits.visitfrequency")
    assert event.actor == people["admin"] and (event.detail["old"], event.detail["new"]) == (2, 1)

    # … and the compliance figures change: at once on the live month (no restart, no waiting
    # for the next recount), not at all on the closed one
    live = manager.get(f"/kpi/?month={AUGUST}").context["report"]
    assert _figures(live) == ({"done": 0, "due": 1, "overdue": 3}, {"done": 1, "due": 1, "overdue": 2}, 12.5)
    api = api_for(people["manager1"]).get(f"/api/v1/kpi/?month={AUGUST}").json()
    assert api["metrics"]["visit_rate"] == 12.5
    closed = manager.get("/kpi/").context["report"]
    assert closed.closed and _figures(closed)[2] == 25.0


def test_scope_is_denied_outside_the_users_node(august, people, client_for, api_for):
    from portal.kpi.closing import month_close

    month_close()
    overdue = f"/kpi/records/visits_groups/?month={JULY}&part=overdue"
    leader = client_for(people["leader1"])  # unit U11
    assert leader.get(overdue).status_code == 200
    assert leader.get(f"{overdue}&scope=U12").status_code == 403  # another unit's drill-down
    assert leader.get(f"{overdue}&scope=B1").status_code == 403  # the branch above
    assert leader.get(f"{overdue}&am={people['am3'].pk}").status_code == 403  # an AM of another unit
    assert leader.get(f"{overdue}&scope=U12&format=xlsx").status_code == 403
    am1 = client_for(people["am1"])
    assert am1.get("/kpi/?scope=P").status_code == 403  # the province dashboard
    assert am1.get("/kpi/").status_code == 403
    # an AM's export is always of their own figures: no unit, branch or AM ranking leaves with it
    own_export = load_workbook(io.BytesIO(am1.get(f"/kpi/export/all/?scope=P&month={JULY}").content))
    assert all(ws["A1"].value.split(" · ")[1] == str(people["am1"]) for ws in own_export.worksheets)
    ranking_titles = {"Ranking of units", "Ranking of branches", "Ranking of account managers"}
    assert not ranking_titles & set(own_export.sheetnames)
    api = api_for(people["am1"])
    own_api = api.get(f"/api/v1/kpi/?scope=P&month={JULY}").json()
    assert own_api["scope"]["person"]["id"] == people["am1"].pk and "people" not in own_api
    assert own_api["figures"]["visits_groups"]["total"] == 1 and own_api["units"] == []  # g1 only
    assert api.get(f"/api/v1/kpi/?scope=U21&month={JULY}").status_code == 403
    assert am1.get(f"/kpi/export/all/?scope=U11&month={JULY}").status_code == 403
    # what am1 may open: their own overdue records, nobody else's
    own = am1.get(f"/kpi/records/visits_contacts/?month={JULY}&part=overdue")
    assert own.status_code == 200 and [row[0][0] for row in own.context["rows"]] == [august["p1"].name]
    assert at(1, month=8) < timezone.now()  # the clock of this module is in force
