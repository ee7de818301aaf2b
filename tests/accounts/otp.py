"""Helpers for tests that need a session that passed the second factor (django-otp)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_login(client, user) -> TOTPDevice:
    """Log `user` in on `client` as if they had typed a valid TOTP code (the admin requires it)."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
