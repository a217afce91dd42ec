"""The dashboard, drill-down, Excel exports, scorecard and API: same numbers everywhere, in scope."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from portal.kpi.closing import month_close
from tests.kpi.conftest import M

pytestmark = pytest.mark.django_db

JUNE = "month=2025-06"


def _sheet_rows(content: bytes, sheet: int = 0) -> list[list]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_manager_sees_the_branch_with_charts_and_links(june, people, client_for):
    r = client_for(people["manager1"]).get(f"/kpi/?{JUNE}")
    assert r.status_code == 200
    report = r.context["report"]
    assert report.scope.node.code == "B1" and report.window.label == "2025-06"
    # branch 1: groups g1 g3 g4 g5, contacts c1 p1 p4 x3 → 2 of 8 done
    assert report.metrics["visit_rate"] == 25.0
    html = r.content.decode()
    assert html.count("<svg") >= 3 and "cdn" not in html.lower()
    assert "/kpi/records/visits_groups/?scope=B1&amp;month=2025-06&amp;part=overdue" in html


def test_drill_down_to_the_overdue_groups_of_one_am(june, people, client_for):
    c = client_for(people["manager1"])
    r = c.get(f"/kpi/records/visits_groups/?scope=B1&{JUNE}&part=overdue&am={people['am3'].pk}")
    assert r.status_code == 200
    names = [row[0][0] for row in r.context["rows"]]
    assert sorted(names) == sorted([june["g3"].name, june["g5"].name])
    x = c.get(f"/kpi/records/visits_groups/?scope=B1&{JUNE}&part=overdue&am={people['am3'].pk}&format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet_rows(x.content)
    assert sorted(r[0] for r in rows[2:]) == sorted([june["g3"].name, june["g5"].name])
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="export", target_type="kpi.records.visits_groups").exists()


def test_every_dashboard_table_exports(june, people, client_for):
    c = client_for(people["manager1"])
    page = c.get(f"/kpi/?{JUNE}")
    for key, url in page.context["export_urls"].items():
        r = c.get(url)
        assert r.status_code == 200, key
        rows = _sheet_rows(r.content)
        assert rows[1] == page.context["tables"][key].columns, key
        assert len(rows) - 2 >= len(page.context["tables"][key].rows), key
    summary = _sheet_rows(c.get(page.context["export_urls"]["summary"]).content)
    assert summary[2][2] == 25.0  # the first figure: visit compliance, a number in Excel
    everything = load_workbook(io.BytesIO(c.get(page.context["export_all"]).content))
    assert len(everything.worksheets) == len(page.context["tables"])


def test_api_returns_the_numbers_of_the_page(june, people, client_for, api_for):
    from portal.policy import override_policy

    def compare(source):
        page = client_for(people["manager1"]).get(f"/kpi/?{JUNE}").context["report"].as_dict()
        api = api_for(people["manager1"]).get(f"/api/v1/kpi/?scope=B1&{JUNE}").json()
        assert api["source"] == page["source"] == source
        for key in ("figures", "metrics", "units", "people", "targets"):
            assert api[key] == page[key], key
        return api

    with override_policy({"kpi.live_refresh_seconds": 0}):
        live = compare("live")
    counted = compare("counted")
    month_close(month=M)
    closed = compare("snapshot")
    assert live["figures"] == counted["figures"] == closed["figures"]
    assert live["metrics"]["visit_rate"] == 25.0


def test_dashboard_of_a_closed_month_reads_the_snapshot(june, people, client_for, django_assert_max_num_queries):
    month_close(month=M)
    c = client_for(people["analyst1"])
    c.get(f"/kpi/?scope=P&{JUNE}")
    with django_assert_max_num_queries(25):
        r = c.get(f"/kpi/?scope=P&{JUNE}")
    assert r.context["report"].source == "snapshot"
    assert "kpi-state" in r.content.decode()


def test_ranking_page(june, people, client_for):
    c = client_for(people["analyst1"])
    r = c.get(f"/kpi/ranking/?scope=P&{JUNE}&rank=visit_rate")
    assert r.status_code == 200
    first = r.context["table"].rows[0]
    assert first[1].value == str(people["am1"])
    x = c.get(r.context["export_url"])
    assert len(_sheet_rows(x.content)) == 2 + r.context["report"].people.count


def test_scorecard_of_an_am(june, people, client_for):
    r = client_for(people["am1"]).get(f"/kpi/scorecard/?{JUNE}")
    assert r.status_code == 200
    report = r.context["report"]
    assert report.scope.person == people["am1"]
    assert report.metrics["visit_rate"] == 66.7
    targets = {f["fig"].target: f for f in r.context["targets"]}
    assert targets["visit_rate"]["target"] == 100.0 and targets["visit_rate"]["met"] is False
    overdue = {o["code"]: o["count"] for o in r.context["overdue"]}
    assert (overdue["visits_contacts"], overdue["visits_groups"], overdue["repairs"]) == (1, 0, 1)  # p1; r3
    assert [e.rule for e in r.context["ledger"]] == ["am_absent"]
    # a supervisor may look at the AM's card, within their scope only
    assert client_for(people["manager1"]).get(f"/kpi/scorecard/?am={people['am1'].pk}&{JUNE}").status_code == 200
    assert client_for(people["manager2"]).get(f"/kpi/scorecard/?am={people['am1'].pk}&{JUNE}").status_code == 403


def test_scorecard_targets_come_from_the_policy(june, people, client_for):
    from portal.policy import override_policy

    with override_policy({"kpi.target_visit_compliance_percent": 60}):
        r = client_for(people["am1"]).get(f"/kpi/scorecard/?{JUNE}")
    targets = {f["fig"].target: f for f in r.context["targets"]}
    assert targets["visit_rate"]["target"] == 60.0 and targets["visit_rate"]["met"] is True


def test_navigation(people, client_for):
    html = client_for(people["manager1"]).get("/kpi/").content.decode()
    assert 'href="/kpi/"' in html
    home = client_for(people["am1"]).get("/").content.decode()
    assert 'href="/kpi/scorecard/"' in home and 'href="/kpi/"' not in home


def test_month_links_keep_the_scope(june, people, client_for):
    r = client_for(people["analyst1"]).get(f"/kpi/?scope=U12&{JUNE}")
    qs = parse_qs(urlsplit(r.context["links"].records("tickets")).query)
    assert qs["scope"] == ["U12"] and qs["month"] == ["2025-06"]
