"""Two-factor sign-in for whoever may see a victim's identity [SPEC 3], with django-otp: a
time-based code from an authenticator app (TOTP) and one-time backup codes.

For those people a password opens nothing: every page and API call waits until the second
factor is given in this session (SecondFactorMiddleware), and API tokens are issued only
against a code (accounts.api.ObtainTokenView). Who counts is the access policy's answer to
"may this person ever see a victim's identity", so a change of functions changes it too.
The first sign-in sets the authenticator up; a lost one is reset by an administrator (the
admin's TOTP devices page), never by the person alone.
"""

import time
from base64 import b32encode
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .functions import SECOND_FACTOR

BACKUP_CODES = 10
# Reachable while the second factor is still owed: the page that asks for it, and the way out.
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/login/", "/accounts/logout/", "/static/", "/i18n/")


def required(user):
    """Whether `user` must give a second factor: whoever may ever see a victim's identity."""
    return bool(user.is_authenticated and user.is_active and set(user.functions or ()) & SECOND_FACTOR)


def owed(user):
    """Signed in with the password but not yet with the second factor, where one is required."""
    return bool(user.is_authenticated and required(user) and not user.is_verified())


class SecondFactorMiddleware:
    """After django_otp.middleware.OTPMiddleware: holds back everything but the two-factor page
    (pages are redirected to it, the API answers 403) until the second factor is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES) and owed(request.user):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Give your second factor first: sign in on the web page, or ask "
                                                 "for a token with a code from your authenticator app.")},
                                    status=403)
            return redirect(f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def authenticator(user):
    """The authenticator app the user has set up, or None. Backup codes alone do not count:
    after an administrator resets a lost one, the next sign-in sets up a new one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def new_authenticator(user):
    """The authenticator being set up (created once, kept until confirmed or replaced)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret(device):
    """The key as people type it into an authenticator app (base32, in groups of four)."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def qr_svg(device):
    """The key as a QR code (inline SVG, drawn here: nothing is fetched from anywhere)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirm(device, code):
    """Confirm a new authenticator with a code from it: returns (the device, fresh backup
    codes), or None (nothing changes) when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(_normal(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return device, new_backup_codes(device.user)


@transaction.atomic
def new_backup_codes(user):
    """Replace the user's backup codes with BACKUP_CODES new ones, each good once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="Backup codes",
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def check(user, code):
    """The device `code` came from (an authenticator's current code, or an unused backup code,
    which is then spent), or None. Each device throttles repeated wrong codes."""
    code = _normal(code)
    return match_token(user, code) if code else None


def wait_seconds(user):
    """How long the user's authenticator still refuses every code after repeated wrong ones
    (0 when it does not)."""
    waits = []
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append((data["locked_until"] - timezone.now()).total_seconds())
    return max(0, round(max(waits, default=0)))


def _normal(code):
    """A code as typed, without spaces; backup codes are lower case."""
    return (code or "").replace(" ", "").strip().lower()


def demo_code(device):
    """The current code of a demo account's authenticator, whose key is public (README): the
    demo shows it on the page so it can be tried without an app. Never for any other key."""
    if not settings.DEMO_TOTP_KEY or device.key != settings.DEMO_TOTP_KEY:
        return None
    return current_code(device)


def current_code(device):
    """The code the device's app shows now; if that one was just used, the next one (accepted
    within the device's tolerance), since a code is good only once."""
    totp = TOTP(unhexlify(device.key), device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if device.last_t >= totp.t():
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"
