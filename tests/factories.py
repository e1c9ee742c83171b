"""Small builders for objects outside the demo world."""

import itertools

from accounts.models import Agency, Jurisdiction, User
from cases import services as case_services
from victims import services as victim_services

_sequence = itertools.count(1)


def jurisdiction():
    return Jurisdiction.objects.get_or_create(country="PT", name="Test district")[0]


def agency(kind="police", name=None):
    number = next(_sequence)
    return Agency.objects.create(
        name=name or f"Test {kind} agency {number}", kind=kind, country="PT", jurisdiction=jurisdiction()
    )


def user(agency, *functions, username=None):
    return User.objects.create(
        username=username or f"user{next(_sequence)}", agency=agency, functions=list(functions)
    )


def case(actor, **fields):
    number = next(_sequence)
    fields.setdefault("reference", f"TEST-{number:05d}")
    fields.setdefault("title", f"Test case {number}")
    fields.setdefault("jurisdiction", jurisdiction())
    return case_services.open_case(actor=actor, **fields)


def victim(actor, **fields):
    return victim_services.record_victim(actor=actor, identity={"given_names": "Test", "family_name": "Person"},
                                         **fields)


def log_in(client, user):
    """A test client signed in as `user` with both factors, for tests not about signing in:
    what force_login and a given second factor (accounts.two_factor) leave in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def at_once(work, times=2, timeout=60):
    """Run `work` in `times` threads released at the same moment, each with its own database
    connection: (their results, the exceptions raised)."""
    import threading

    from django.db import connections

    barrier, results, errors = threading.Barrier(times), [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # reported to the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results, errors
