"""Issue 12 item 9 (authentication): expiring API tokens that die at logout and on a password
change (django-rest-knox), one trusted-proxy setting for the token throttle and django-axes, and a
second factor for the roles whose policy requires it (SPEC ORG-2, CFG-1)."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from portal.clientip import client_ip
from portal.policy import override_policy

PASSWORD = "demo12345"
TOKEN_URL = "/api/v1/auth/token/"


def _token(username, password=PASSWORD, **extra):
    api = APIClient()
    r = api.post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json", **extra.pop("meta", {}))
    return r


def _me(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get("/api/v1/me/")


def _code(device, offset=0):
    key = device.bin_key
    return f"{totp(key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


# ---- tokens (knox) ------------------------------------------------------------------------------

def test_token_has_an_expiry_and_stops_working_after_it(people, settings):
    """issue 12 item 9: API tokens expire (REST_KNOX TOKEN_TTL from API_TOKEN_TTL_HOURS)."""
    from knox.models import AuthToken

    r = _token("am1")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["token"] and body["expiry"]
    assert _me(body["token"]).status_code == 200
    AuthToken.objects.filter(user=people["am1"]).update(expiry=timezone.now() - timedelta(seconds=1))
    r = _me(body["token"])
    assert r.status_code == 401 and r.json()["message"]


def test_tokens_are_stored_hashed(people):
    """issue 12 item 9: the database holds a digest, not the token (a leaked dump gives no access)."""
    from knox.models import AuthToken

    token = _token("am1").json()["token"]
    row = AuthToken.objects.get(user=people["am1"])
    assert token not in (row.digest, row.token_key)


def test_web_logout_revokes_every_api_token(client, people):
    """issue 12 item 9: logging out of the web kills all the user's API tokens."""
    t1, t2 = _token("am1").json()["token"], _token("am1").json()["token"]
    other = _token("am2").json()["token"]
    assert client.post(reverse("login"), {"username": "am1", "password": PASSWORD}).status_code == 302
    assert _me(t1).status_code == 200
    client.post(reverse("logout"))
    assert _me(t1).status_code == 401 and _me(t2).status_code == 401
    assert _me(other).status_code == 200


def test_password_change_page_revokes_every_api_token(client_for, people):
    """issue 12 item 9: a password change (the page) kills all the user's API tokens."""
    token = _token("am1").json()["token"]
    c = client_for(people["am1"])
    r = c.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Xy9!long-enough", "new_password2": "Xy9!long-enough",
    })
    assert r.status_code == 302
    assert _me(token).status_code == 401


def test_any_password_change_revokes_tokens(people):
    """issue 12 item 9: set_password by any path (admin site, changepassword, reset) revokes too."""
    token = _token("am2").json()["token"]
    user = people["am2"]
    user.first_name = "x"
    user.save()  # saving without a new password keeps the token
    assert _me(token).status_code == 200
    user.set_password("Another!pass-42")
    user.save()
    assert _me(token).status_code == 401


def test_api_logout_revokes_all_tokens(people):
    """issue 12 item 9: POST /api/v1/auth/logout/ ends every token of the caller."""
    t1, t2 = _token("am1").json()["token"], _token("am1").json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {t1}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert _me(t1).status_code == 401 and _me(t2).status_code == 401


# ---- one trusted-proxy setting for the throttle and axes -----------------------------------------

@pytest.mark.parametrize("proxies, meta, expected", [
    ([], {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.1"),
    (["10.0.0.1"], {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "1.2.3.4"),
    # the client wrote its own header; the proxy appended the real peer: that one counts
    (["10.0.0.1"], {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 1.2.3.4"}, "1.2.3.4"),
    # two proxies in a row
    (["10.0.0.0/24"], {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 1.2.3.4, 10.0.0.7"}, "1.2.3.4"),
    # a request that did not come through the proxy: the header is ignored
    (["10.0.0.1"], {"REMOTE_ADDR": "5.5.5.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "5.5.5.5"),
    (["10.0.0.1"], {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, "10.0.0.1"),
])
def test_client_ip_believes_only_trusted_proxies(settings, rf, proxies, meta, expected):
    """issue 12 item 9: X-Forwarded-For counts only as far as a TRUSTED_PROXIES proxy wrote it."""
    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/", **meta)
    assert client_ip(request) == expected


@pytest.fixture
def token_rate(monkeypatch):
    from portal.api.throttling import ClientScopedRateThrottle

    monkeypatch.setattr(ClientScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})


def _post_token(meta, username="am1", password=PASSWORD):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **meta)


def test_token_throttle_ignores_a_client_sent_forwarded_for(people, settings, token_rate):
    """issue 12 item 9: without a trusted proxy, rotating X-Forwarded-For does not escape the throttle."""
    settings.TRUSTED_PROXIES = []
    codes = [_post_token({"REMOTE_ADDR": "8.8.8.8", "HTTP_X_FORWARDED_FOR": f"1.1.1.{i}"}).status_code
             for i in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_token_throttle_behind_the_proxy_is_per_real_client(people, settings, token_rate):
    """issue 12 item 9: behind TRUSTED_PROXIES each real client has its own bucket, and a spoofed
    left-most entry does not open a new one."""
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    via = {"REMOTE_ADDR": "10.0.0.1"}
    a = [_post_token({**via, "HTTP_X_FORWARDED_FOR": f"{spoof}1.2.3.4"}).status_code
         for spoof in ("", "7.7.7.1, ", "7.7.7.2, ", "7.7.7.3, ")]
    assert a == [200, 200, 200, 429]
    assert _post_token({**via, "HTTP_X_FORWARDED_FOR": "5.6.7.8"}).status_code == 200


def _web_login(client, username, password, meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_axes_behind_the_proxy_locks_client_and_username_not_username_alone(client, people, settings):
    """issue 12 item 9: behind the proxy every request has the proxy's address; axes must lock the
    real client's address + username, so another client can still log in as that user."""
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}
    owner = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "3.3.3.3"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = _web_login(client, "am1", "wrong", attacker)
    assert r.status_code == 429
    assert _web_login(client, "am1", PASSWORD, attacker).status_code == 429
    from django.test import Client

    assert _web_login(Client(), "am1", PASSWORD, owner).status_code == 302
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"6.6.6.6"}


def test_axes_ignores_forwarded_for_without_a_trusted_proxy(client, people, settings):
    """issue 12 item 9: a client that rotates X-Forwarded-For is still one address to axes."""
    settings.TRUSTED_PROXIES = []
    for i in range(settings.AXES_FAILURE_LIMIT):
        r = _web_login(client, "am1", "wrong", {"REMOTE_ADDR": "8.8.8.8", "HTTP_X_FORWARDED_FOR": f"2.2.2.{i}"})
    assert r.status_code == 429
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"8.8.8.8"}


# ---- second factor -------------------------------------------------------------------------------

def _device(user, confirmed=True):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)


def test_admin_without_device_must_enrol_before_any_page(client, people):
    """issue 12 item 9: the policy requires a second factor for administrators (default); the
    first login leads to enrolment, and no other page opens until it is done."""
    r = _web_login(client, "admin", PASSWORD, {})
    assert r.status_code == 302
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith(reverse("two-factor"))
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/me/").status_code == 403
    page = client.get(reverse("two-factor"))
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    assert not TOTPDevice.objects.filter(user=people["admin"]).exists()  # showing the page writes nothing
    device = TOTPDevice(key=client.session["portal_second_factor_pending_key"])
    bad = client.post(reverse("two-factor"), {"otp_token": "000000" if _code(device) != "000000" else "111111"})
    assert bad.status_code == 200 and bad.context["form"].errors
    ok = client.post(reverse("two-factor"), {"otp_token": _code(device), "next": "/"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.get(user=people["admin"]).confirmed


def test_login_asks_for_the_code_when_a_device_is_enrolled(client, people):
    """issue 12 item 9: login = password, then the TOTP code; without the code nothing opens."""
    device = _device(people["admin"])
    r = _web_login(client, "admin", PASSWORD, {})
    r = client.get(r.url)
    assert r.status_code == 302 and r.url.startswith(reverse("two-factor-verify"))
    # enrolling a new device is refused until the old one's code is given
    assert client.get(reverse("two-factor")).url.startswith(reverse("two-factor-verify"))
    r = client.post(reverse("two-factor-verify"), {"otp_token": "12345x"})
    assert r.status_code == 200 and r.context["form"].errors
    assert client.get("/").status_code == 302
    r = client.post(reverse("two-factor-verify"), {"otp_token": _code(device), "next": "/visits/"})
    assert r.status_code == 302 and r.url == "/visits/"
    assert client.get("/").status_code == 200
    # the same code cannot be used twice (replay)
    from django.test import Client

    c2 = Client()
    _web_login(c2, "admin", PASSWORD, {})
    r = c2.post(reverse("two-factor-verify"), {"otp_token": _code(device)})
    assert r.status_code == 200


def test_optional_role_is_not_asked_until_it_enrols(client, people):
    """issue 12 item 9: other roles are optional by default: no code asked; once a user enrolled a
    device, their login asks for it."""
    assert _web_login(client, "analyst1", PASSWORD, {}).status_code == 302
    assert client.get("/").status_code == 200
    _device(people["analyst1"])
    client.post(reverse("logout"))
    _web_login(client, "analyst1", PASSWORD, {})
    assert client.get("/").status_code == 302


def test_policy_makes_a_province_role_require_it(client, people):
    """issue 12 item 9: a policy value per role (CFG-1) switches the requirement on."""
    with override_policy({"security.second_factor_quality": True}):
        _web_login(client, "quality1", PASSWORD, {})
        r = client.get("/")
        assert r.status_code == 302 and r.url.startswith(reverse("two-factor"))
    from django.test import Client

    c = Client()
    _web_login(c, "quality1", PASSWORD, {})
    assert c.get("/").status_code == 200  # default again: optional


def test_token_needs_the_code_for_an_account_with_a_second_factor(people):
    """issue 12 item 9: the API token endpoint is not a way around the second factor."""
    r = _token("admin")
    assert r.status_code == 403 and r.json()["code"] == "otp_enrol"
    device = _device(people["admin"])
    r = _token("admin")
    assert r.status_code == 400 and r.json()["code"] == "otp_required" and r.json()["message"]
    r = _token("admin", otp="000000" if _code(device) != "000000" else "111111")
    assert r.status_code == 400 and r.json()["code"] == "otp_invalid"
    time.sleep(1.1)  # django-otp throttles a device for 1 s after a wrong code (then 2 s, 4 s, …)
    r = _token("admin", otp=_code(device))
    assert r.status_code == 200 and _me(r.json()["token"]).status_code == 200
    assert _token("am1").status_code == 200  # optional role without a device: password only
