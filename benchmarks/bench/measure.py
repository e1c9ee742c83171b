"""Timing, percentiles and signed-in clients."""

import math
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def percentile(samples, q):
    """The q-th percentile (0-100) of `samples`, interpolating between the two nearest ranks
    (numpy's default), so 15 samples give a p95 between the 14th and 15th."""
    ordered = sorted(samples)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(seconds):
    """Median, p95, min and max of samples in seconds, as milliseconds."""
    if not seconds:
        return {"n": 0, "median_ms": None, "p95_ms": None, "min_ms": None, "max_ms": None}
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
            "min_ms": round(min(ms), 2), "max_ms": round(max(ms), 2)}


def timed(work, repeat, warmup=1):
    """Run `work` `warmup` times untimed, then `repeat` times timed: the seconds of each."""
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def count_queries(work):
    """(number of SQL queries `work` ran, those queries: {"sql", "time"} each)."""
    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries), queries.captured_queries


def shape(sql):
    """What a statement does, without its details: "SELECT cases_case", "INSERT accounts_accesslog"."""
    words = sql.replace('"', "").split()
    if not words:
        return ""
    verb, upper = words[0].upper(), [word.upper() for word in words]
    if verb == "UPDATE" and len(words) > 1:
        return f"UPDATE {words[1]}"
    keyword = {"SELECT": "FROM", "INSERT": "INTO", "DELETE": "FROM"}.get(verb)
    if keyword in upper and upper.index(keyword) + 1 < len(words):
        return f"{verb} {words[upper.index(keyword) + 1].split('.')[0]}"
    return verb


def shape_difference(first, second):
    """The statements one request ran more than the other: "+1 INSERT accounts_accesslog, -1 ..."."""
    from collections import Counter

    difference = Counter(shape(q["sql"]) for q in first)
    difference.subtract(Counter(shape(q["sql"]) for q in second))
    return ", ".join(f"{n:+d} {what}" for what, n in sorted(difference.items()) if n)


def signed_in_client(user):
    """A test client signed in as `user` as a real sign-in leaves the session: the password
    (force_login) and, for whoever must give one, the second factor (a confirmed authenticator
    of the user's, created if they have none, recorded in the session as django-otp does)."""
    from accounts import two_factor

    client = Client()
    client.force_login(user)
    if two_factor.required(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = (TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
                  or TOTPDevice.objects.create(user=user, name="Benchmark authenticator", confirmed=True))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def get(client, url):
    """GET `url` over HTTPS (production redirects plain HTTP), JSON accepted for the API."""
    extra = {"HTTP_ACCEPT": "application/json"} if url.startswith("/api/") else {}
    return client.get(url, secure=True, **extra)


def with_page(url, page):
    return f"{url}{'&' if '?' in url else '?'}page={page}"
