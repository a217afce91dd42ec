"""Session and token consequences of logging in and out and of a password change.

API tokens (django-rest-knox) die with the user's web logout and with any password change: a
stolen token or a leaked password stops working the moment the owner acts. The password hook is
on User.save (accounts.models) so every path that sets a password (the page, the admin site,
`changepassword`, a reset) revokes.
"""
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .twofactor import remember_at_login


def tokens_revoke(*, user) -> int:
    """Delete every API token of `user`; returns how many there were."""
    from knox.models import AuthToken

    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


@receiver(user_logged_in, dispatch_uid="accounts-second-factor-at-login")
def _at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_at_login(request, user)


@receiver(user_logged_out, dispatch_uid="accounts-revoke-tokens-at-logout")
def _at_logout(sender, request, user, **kwargs):
    if user is not None:
        tokens_revoke(user=user)
