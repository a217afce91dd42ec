"""Settings from the environment: `check --deploy` is clean with production variables set (issue 2)."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(env_extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE", "SMS_INBOUND_SECRET"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_clean_with_production_variables():
    r = _check({"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0", "HTTPS": "1",
                "ALLOWED_HOSTS": "portal.example.com", "SMS_INBOUND_SECRET": secrets.token_urlsafe(32)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_fails_with_the_default_sms_secret():
    """issue 12 item 9: every other production variable set, the default SMS_INBOUND_SECRET fails it."""
    r = _check({"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0", "HTTPS": "1",
                "ALLOWED_HOSTS": "portal.example.com", "SMS_INBOUND_SECRET": "dev-inbound-secret"})
    assert r.returncode != 0 and "portal.E001" in (r.stdout + r.stderr)


def test_check_deploy_flags_the_development_key():
    r = _check({"DEBUG": "0", "HTTPS": "1", "ALLOWED_HOSTS": "portal.example.com"})
    assert r.returncode != 0 and "security.W009" in (r.stdout + r.stderr)
