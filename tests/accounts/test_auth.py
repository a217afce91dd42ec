"""Login, logout, password change, throttling, token auth, admin access, audit log, JSON errors."""
import pytest
from django.urls import reverse

from portal.models import AuditEvent

PASSWORD = "demo12345"


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client, db):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    assert "登录" in r.content.decode()


def test_login_logout_and_audit(client, people):
    r = login(client, "am1")
    assert r.status_code == 302 and r.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert AuditEvent.objects.filter(action="login", username="am1").count() == 1
    r = client.post(reverse("logout"))
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="logout", username="am1").count() == 1
    assert client.get(reverse("home")).status_code == 302  # back to login


def test_pages_require_login(client, db):
    r = client.get(reverse("home"))
    assert r.status_code == 302 and reverse("login") in r.url


def test_failed_login_is_audited_and_throttled(client, people, settings):
    """Five failures lock the username from that address (429), even with the right password then."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = login(client, "am1", "wrong-password")
        assert r.status_code == 200  # the form again, with an error
    r = login(client, "am1", "wrong-password")
    assert r.status_code == 429
    r = login(client, "am1")  # correct password, still locked
    assert r.status_code == 429
    assert "Too many" in r.content.decode() or "失败" in r.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", username="am1").count() >= settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(action="locked_out").exists()
    # another user from the same address is not affected
    assert login(client, "am2").status_code == 302


def test_password_change_hashes_and_audits(client, people):
    client.force_login(people["am1"])
    r = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Xy9!long-enough", "new_password2": "Xy9!long-enough",
    })
    assert r.status_code == 302
    people["am1"].refresh_from_db()
    assert "Xy9!long-enough" not in people["am1"].password  # stored hashed
    assert people["am1"].check_password("Xy9!long-enough")
    assert AuditEvent.objects.filter(action="password_changed", username="am1").exists()


def test_password_change_rejects_weak_password(client, people):
    client.force_login(people["am1"])
    r = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "123", "new_password2": "123",
    })
    assert r.status_code == 200
    assert r.context["form"].errors


def test_token_auth_and_me(client, people):
    from rest_framework.test import APIClient

    api = APIClient()
    r = api.post("/api/v1/auth/token/", {"username": "am1", "password": PASSWORD}, format="json")
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    assert api.get("/api/v1/me/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "am1" and body["roles"] == ["am"]
    assert body["unit"]["code"] == "U11"
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    bad = api.get("/api/v1/me/")
    assert bad.status_code == 401 and "message" in bad.json()


def test_token_wrong_password_is_400_json_then_locked(people, settings):
    from rest_framework.test import APIClient

    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = api.post("/api/v1/auth/token/", {"username": "am2", "password": "nope"}, format="json")
    assert r.status_code in (400, 429)
    r = api.post("/api/v1/auth/token/", {"username": "am2", "password": PASSWORD}, format="json")
    assert r.status_code == 429
    assert r.json()["message"]
    r = api.post("/api/v1/auth/token/", {"username": "am2"}, format="json")
    assert r.status_code == 400 and "password" in r.json()


def test_admin_requires_administrator(client_for, people):
    assert client_for(people["admin"]).get("/admin/").status_code == 200
    for who in ("am1", "manager1", "analyst1", "quality1"):
        r = client_for(people[who]).get("/admin/")
        assert r.status_code == 302 and "/admin/login/" in r.url, who
    # a staff flag alone is not enough without the administrator role
    u = people["leader1"]
    u.is_staff = True
    u.save()
    assert client_for(u).get("/admin/accounts/user/").status_code == 302


def test_admin_user_pages_work(client_for, people):
    c = client_for(people["admin"])
    assert c.get("/admin/accounts/user/").status_code == 200
    assert c.get(f"/admin/accounts/user/{people['am1'].pk}/change/").status_code == 200
    assert c.get("/admin/accounts/orgunit/").status_code == 200


def test_api_errors_are_json(client, api_for, people):
    r = client.get("/api/v1/does-not-exist/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    r = api_for(people["am1"]).get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert r.status_code == 200


def test_api_schema_and_docs(client_for, people):
    c = client_for(people["am1"])
    schema = c.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content and b"/api/v1/me/" in schema.content
    docs = c.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_unexpected_api_error_is_json_500(api_for, people, monkeypatch):
    from accounts.api import views

    def boom(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.MeView, "get", boom)
    c = api_for(people["am1"])
    c.raise_request_exception = False
    r = c.get("/api/v1/me/")
    assert r.status_code == 500
    assert r.json()["message"]


@pytest.mark.parametrize("who, status", [
    ("am1", 403), ("mm1", 403), ("agent1", 403), ("leader1", 200), ("manager1", 200), ("analyst1", 200),
])
def test_people_page_roles(client_for, people, who, status):
    assert client_for(people[who]).get(reverse("people")).status_code == status


def test_people_page_is_scoped(client_for, people):
    body = client_for(people["leader1"]).get(reverse("people")).content.decode()
    assert "am1b" in body and "am2" not in body and "am3" not in body
    body = client_for(people["manager1"]).get(reverse("people")).content.decode()
    assert "am3" in body and "am2" not in body


def test_api_users_are_scoped(api_for, people):
    names = {u["username"] for u in api_for(people["manager2"]).get("/api/v1/users/").json()["results"]}
    assert names == {"am2", "mm2", "manager2"}


def test_security_log_admin_only(client_for, people):
    assert client_for(people["admin"]).get(reverse("audit-log")).status_code == 200
    assert client_for(people["manager1"]).get(reverse("audit-log")).status_code == 403


def test_language_switch_to_english(client_for, people):
    c = client_for(people["am1"])
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302
    assert "Welcome" in c.get("/").content.decode()
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "欢迎" in c.get("/").content.decode()
