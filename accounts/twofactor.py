"""Second factor at login (TOTP, django-otp), enforced per role by policy (SPEC ORG-2, CFG-1).

Who is asked: a user whose roles require it (policy `security.second_factor_<role>`; default only
administrators) and any user who enrolled a device. The password step logs the user in as usual;
until the code is given (django-otp marks the session verified), `SecondFactorMiddleware` lets
such a session reach only the code page, the enrolment page and logout. Whether a session needs
the factor is decided once at login and kept in the session, so pages pay no query for it.
"""
from __future__ import annotations

import base64
import time

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from portal.exceptions import ApplicationError
from portal.policy import policies

from .models import Role
from .policies import SECOND_FACTOR_KEYS

SESSION_KEY = "portal_second_factor"  # True / False, decided at login
DEVICE_NAME = "authenticator"


def required_by_role(user) -> bool:
    """True when any of the user's roles requires a second factor (one policy query)."""
    codes = sorted(c for c in user.role_codes if c in Role.Code.values)
    if not codes:
        return False
    values = policies(*(SECOND_FACTOR_KEYS[c] for c in codes))
    return any(values.values())


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user) -> bool:
    return required_by_role(user) or confirmed_device(user) is not None


def remember_at_login(request, user) -> None:
    """Called on user_logged_in: decide once whether this session must pass the second factor."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = needs_second_factor(user)


def session_needs_code(request) -> bool:
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    needed = request.session.get(SESSION_KEY)
    if needed is None:  # a session from before this rule existed
        needed = needs_second_factor(user)
        request.session[SESSION_KEY] = needed
    return needed


def verify_session(request, code: str) -> bool:
    """Check the code against the user's devices; on success mark the session verified."""
    device = match_token(request.user, (code or "").strip())
    if device is None:
        return False
    otp_login(request, device)
    return True


PENDING_KEY = "portal_second_factor_pending_key"


def pending_device(request) -> TOTPDevice:
    """The device being enrolled, not saved: its key waits in the session until the first right
    code, so showing the enrolment page writes nothing (a GET changes no row)."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = random_hex(20)
        request.session[PENDING_KEY] = key
    return TOTPDevice(user=request.user, name=DEVICE_NAME, key=key, confirmed=False)


def base32_key(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


@transaction.atomic
def device_confirm(*, request, code: str) -> TOTPDevice:
    """Enrolment: the first right code saves the pending device as confirmed (replacing any older
    one) and verifies the session. ApplicationError when the code is wrong."""
    user = request.user
    device = pending_device(request)
    code = (code or "").strip()
    check = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    check.time = time.time()
    if not code.isdigit() or not check.verify(int(code), device.tolerance):
        raise ApplicationError(_("That code is not right. Check the time on your phone and try again."))
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.last_t = check.t()  # the code just used cannot be used again
    device.save()
    request.session.pop(PENDING_KEY, None)
    otp_login(request, device)
    request.session[SESSION_KEY] = True
    return device


def token_code_check(user, code: str | None) -> None:
    """The API token endpoint: a user who needs the factor sends `otp` with the password."""
    device = confirmed_device(user)
    if device is None and not required_by_role(user):
        return
    if device is None:
        raise ApplicationError(
            _("This account must use a second factor: log in on the web and enrol an authenticator first."),
            extra={"code": "otp_enrol"}, status_code=403,
        )
    if not code:
        raise ApplicationError(
            _("This account uses a second factor: send the authenticator code as `otp`."),
            extra={"code": "otp_required"},
        )
    if match_token(user, str(code).strip()) is None:
        raise ApplicationError(_("The authenticator code is not right."), extra={"code": "otp_invalid"})
