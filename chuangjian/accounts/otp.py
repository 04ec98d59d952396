"""The second factor (动态口令): TOTP from an authenticator app, with recovery codes.

Built on django-otp's devices (``TOTPDevice``, ``StaticDevice`` for the recovery codes).
Whether a session has passed the second factor is kept in the session itself, so a page
costs no extra query; the session's limits (idle, 12 h) bound how long it holds.
"""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from chuangjian.org.models import User

# Session keys: the device that passed (its persistent id), and a key being enrolled.
SESSION_VERIFIED = "accounts_otp_device"
SESSION_PENDING_KEY = "accounts_otp_pending_key"
RECOVERY_CODES = 10


def is_verified(session: SessionBase) -> bool:
    return bool(session.get(SESSION_VERIFIED))


def mark_verified(session: SessionBase, device_id: str) -> None:
    session[SESSION_VERIFIED] = device_id
    session.pop(SESSION_PENDING_KEY, None)


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_key(session: SessionBase) -> str:
    """The key being enrolled, kept in the session until a code confirms it (a GET of
    the enrolment page writes nothing to the database)."""
    key = session.get(SESSION_PENDING_KEY)
    if not key:
        key = random_hex(20)
        session[SESSION_PENDING_KEY] = key
    return str(key)


def readable_key(hex_key: str) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    text = b32encode(unhexlify(hex_key)).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def qr_svg(user: User, hex_key: str) -> str:
    """The otpauth:// link of the key as an inline SVG QR code (no script, no image URL)."""
    device = TOTPDevice(user=user, key=hex_key, name="app")
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def devices_of(user: User) -> tuple[TOTPDevice | None, StaticDevice | None]:
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return totp, static


def issuer() -> str:
    return str(getattr(settings, "OTP_TOTP_ISSUER", ""))
