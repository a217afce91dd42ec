"""ORG-3 on the KPIs: a leader sees the unit, a department manager the branch, an AM only themselves."""

from __future__ import annotations

import pytest

from portal.kpi.closing import month_close
from tests.kpi.conftest import M

pytestmark = pytest.mark.django_db

JUNE = "month=2025-06"


def test_leader_sees_only_the_unit(june, people, client_for):
    r = client_for(people["leader1"]).get(f"/kpi/?{JUNE}")
    assert r.status_code == 200
    f = r.context["report"].figures
    assert r.context["report"].scope.node.code == "U11"
    # u11: groups g1 (done) and g4 (due); contacts c1 done, p1 and p4 overdue; ticket t1 only
    assert (f["visits_groups"]["total"], f["visits_groups"]["done"]) == (2, 1)
    assert (f["visits_contacts"]["total"], f["visits_contacts"]["overdue"]) == (3, 2)
    assert f["tickets"]["total"] == 1
    # penalties of people in u11 (am1's -2 and mm1's ¥200); the branch's own -5 is not the unit's
    assert (f["penalties"]["points_sum"], f["penalties"]["money_sum"]) == (-2.0, -200.0)
    assert [n.code for n in r.context["nodes"]] == ["U11"]


@pytest.mark.parametrize("closed", [False, True])
def test_leader_cannot_see_another_unit(june, people, client_for, api_for, closed):
    if closed:
        month_close(month=M)
    leader = client_for(people["leader1"])
    assert leader.get(f"/kpi/?scope=U12&{JUNE}").status_code == 403
    assert leader.get(f"/kpi/?scope=B1&{JUNE}").status_code == 403
    assert leader.get(f"/kpi/records/tickets/?scope=U12&{JUNE}").status_code == 403
    assert leader.get(f"/kpi/export/all/?scope=U12&{JUNE}").status_code == 403
    assert leader.get(f"/kpi/scorecard/?am={people['am3'].pk}&{JUNE}").status_code == 403
    assert api_for(people["leader1"]).get(f"/api/v1/kpi/?scope=U12&{JUNE}").status_code == 403


def test_manager_does_not_see_the_other_branch(june, people, client_for, api_for):
    manager = client_for(people["manager1"])
    assert manager.get(f"/kpi/?scope=B2&{JUNE}").status_code == 403
    assert manager.get(f"/kpi/?scope=U21&{JUNE}").status_code == 403
    assert api_for(people["manager1"]).get(f"/api/v1/kpi/?scope=U21&{JUNE}").status_code == 403
    r = manager.get(f"/kpi/?scope=U12&{JUNE}")
    assert r.status_code == 200 and r.context["report"].figures["tickets"]["total"] == 2  # t2, t4
    data = api_for(people["manager1"]).get(f"/api/v1/kpi/?{JUNE}").json()
    assert data["scope"]["code"] == "B1"
    assert {u["name"] for u in data["units"]} == {"西湖", "滨江"}
    assert data["figures"]["surveys"]["sent"] == 2  # s1 s2 (g1); s3 is g2's in branch 2
    assert data["figures"]["repairs"]["total"] == 2


def test_am_gets_403_on_the_dashboard_but_sees_their_own_figures(june, people, client_for, api_for):
    am1 = client_for(people["am1"])
    assert am1.get(f"/kpi/?{JUNE}").status_code == 403
    assert am1.get(f"/kpi/ranking/?{JUNE}").status_code == 403
    assert am1.get(f"/kpi/scorecard/?am={people['am2'].pk}&{JUNE}").status_code == 403
    assert am1.get(f"/kpi/records/visits_groups/?am={people['am2'].pk}&{JUNE}").status_code == 403
    own = api_for(people["am1"]).get(f"/api/v1/kpi/?{JUNE}").json()
    assert own["scope"]["person"]["id"] == people["am1"].pk
    assert own["figures"]["visits_groups"]["total"] == 1  # g1 only
    assert api_for(people["am1"]).get(f"/api/v1/kpi/?am={people['am2'].pk}&{JUNE}").status_code == 403
    # the drill-down of an AM's own figures lists their own records only
    r = am1.get(f"/kpi/records/visits_contacts/?{JUNE}&part=overdue")
    assert r.status_code == 200 and [row[0][0] for row in r.context["rows"]] == [june["p1"].name]
    assert client_for(people["mm1"]).get(f"/kpi/?{JUNE}").status_code == 403
    assert client_for(people["norole"]).get(f"/api/v1/kpi/?{JUNE}").status_code == 403


def test_drill_down_and_export_stay_in_scope(june, people, client_for):
    leader = client_for(people["leader1"])
    r = leader.get(f"/kpi/records/tickets/?{JUNE}")
    assert [row[0][0] for row in r.context["rows"]] == [june["t1"].number]
    rows = leader.get(f"/kpi/records/tickets/?{JUNE}&format=xlsx")
    from tests.kpi.test_pages import _sheet_rows

    assert [x[0] for x in _sheet_rows(rows.content)[2:]] == [june["t1"].number]
    # the AM ranking of the unit lists the unit's AMs only
    people_rows = r = leader.get(f"/kpi/ranking/?{JUNE}").context["table"].rows
    assert {row[1].value for row in people_rows} == {str(people["am1"]), str(people["am1b"])}


def test_records_behind_a_figure_match_the_figure(june, people, client_for):
    """The drill-down lists exactly as many records as the figure counts."""
    c = client_for(people["analyst1"])
    page = c.get(f"/kpi/?scope=P&{JUNE}")
    f = page.context["report"].figures
    checks = {
        ("visits_groups", "overdue"): f["visits_groups"]["overdue"],
        ("visits_contacts", "due"): f["visits_contacts"]["due"],
        ("surveys", "dissatisfied"): f["surveys"]["dissatisfied"],
        ("repairs", "late"): f["repairs"]["late"],
        ("sla", "breach"): f["sla"]["breach"],
        ("joint_visits", "not_participated"): 1,
        ("ticket_events", "misroute"): f["ticket_events"]["misroutes"],
        ("complaints", "late"): f["complaints"]["late"],
        ("members", "now"): f["members"]["members_end"],
        ("churn", "churned"): f["churn"]["churned"],
        ("penalties", ""): f["penalties"]["entries"],
        ("contact_coverage", "below_minimum"): 3,
        ("core_fields", "incomplete"): 1,
    }
    for (code, part), expected in checks.items():
        r = c.get(f"/kpi/records/{code}/?scope=P&{JUNE}&part={part}")
        assert r.status_code == 200, code
        assert r.context["page"].paginator.count == expected, (code, part)
