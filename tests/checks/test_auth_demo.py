"""Issue 12 item 9 on the data seed_demo makes: the administrator's second factor with the demo
TOTP key (DemoSite.login / token complete it), the CSP header, and no secret in the access log."""
from __future__ import annotations

import time

import requests


def test_admin_logs_in_with_the_demo_second_factor(demo_site):
    """issue 12 item 9: admin needs a TOTP code (seed_demo's known key); DemoSite.login gives it."""
    started = time.monotonic()
    raw = requests.Session()
    r = raw.get(f"{demo_site.url}/accounts/login/", timeout=30)
    r = raw.post(f"{demo_site.url}/accounts/login/", data={
        "username": "admin", "password": "demo12345", "csrfmiddlewaretoken": raw.cookies.get("csrftoken"),
    }, headers={"Referer": r.url}, timeout=30)
    assert "/accounts/two-factor/verify/" in r.url  # the password alone opens nothing
    assert "/accounts/two-factor/verify/" in raw.get(f"{demo_site.url}/admin/", timeout=30).url
    s = demo_site.login("admin")
    home = s.get(f"{demo_site.url}/admin/", timeout=30)
    assert home.status_code == 200 and "/two-factor/" not in home.url
    s2 = demo_site.login("admin")  # a second login in the same 30 s window works too
    assert s2.get(f"{demo_site.url}/", timeout=30).status_code == 200
    assert demo_site.api("admin").get(f"{demo_site.url}/api/v1/me/", timeout=30).json()["username"] == "admin"
    r = requests.post(f"{demo_site.url}/api/v1/auth/token/", json={"username": "admin", "password": "demo12345"},
                      timeout=30)
    assert r.status_code == 400 and r.json()["code"] == "otp_required"
    print(f"[auth-demo] admin two-step login, twice, and a token in {time.monotonic() - started:.1f} s")


def test_pages_carry_a_content_security_policy(demo_site):
    """issue 12 item 9: every page is served with a strict CSP (django-csp)."""
    s = demo_site.login("am1")
    for path in ("/", "/groups/", "/accounts/login/"):
        csp = s.get(f"{demo_site.url}{path}", timeout=30).headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp, (path, csp)
