"""Pages of the second factor (accounts.twofactor): enrol an authenticator, give the code at login."""
from __future__ import annotations

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.exceptions import ApplicationError

from . import twofactor


class CodeForm(forms.Form):
    otp_token = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"), regex=r"^\s*\d{6}\s*$", max_length=12,
        error_messages={"invalid": gettext_lazy("Enter the 6-digit code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@login_required
def verify(request):
    """The second step of the login: the code of the enrolled device."""
    if request.user.is_verified():
        return redirect(_next(request))
    if twofactor.confirmed_device(request.user) is None:
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify_session(request, form.cleaned_data["otp_token"]):
            return redirect(_next(request))
        form.add_error("otp_token", _("That code is not right (or was used already). Wait for the next one."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
def enrol(request):
    """Enrol a TOTP authenticator. A user who already has one must give its code before replacing it."""
    user = request.user
    if twofactor.confirmed_device(user) is not None and not user.is_verified():
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.device_confirm(request=request, code=form.cleaned_data["otp_token"])
        except ApplicationError as e:
            form.add_error("otp_token", e.message)
        else:
            return redirect(_next(request))
    device = twofactor.pending_device(request)
    qr = segno.make(device.config_url, error="m")
    return render(request, "registration/two_factor_enrol.html", {
        "form": form, "next": _next(request),
        "enrolled": twofactor.confirmed_device(user) is not None,
        "required": twofactor.required_by_role(user),
        "key": twofactor.base32_key(device),
        "qr": qr.svg_data_uri(scale=4, border=2),
    })
