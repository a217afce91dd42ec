"""Home page per role with real data; role-aware navigation."""
from django.urls import reverse


def test_home_shows_roles_and_unit(client_for, people):
    body = client_for(people["am1"]).get(reverse("home")).content.decode()
    assert "西湖" in body and 'id="panel-profile"' in body
    assert 'id="panel-team"' not in body  # an AM has no team panel


def test_supervisor_home_counts_team(client_for, people):
    r = client_for(people["manager1"]).get(reverse("home"))
    panel = next(p for p in r.context["panels"] if p["template"].endswith("team.html"))
    assert panel["total"] == 7  # am1, am1b, am3, mm1, leader1, norole, manager1


def test_admin_home_security_panel_and_nav(client_for, people):
    body = client_for(people["admin"]).get(reverse("home")).content.decode()
    assert 'id="panel-security"' in body
    assert reverse("audit-log") in body and "/admin/" in body


def test_nav_is_role_aware(client_for, people):
    body = client_for(people["am1"]).get(reverse("home")).content.decode()
    assert reverse("audit-log") not in body and reverse("people") not in body
