"""Production settings, login throttling, idle timeout, navigation per function, health."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessLog
from accounts.two_factor import current_code

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_deploy_check_is_clean_under_production_settings():
    result = manage("check", "--deploy", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="cases.example.org")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "?:" not in output


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_fresh_checkout_verifies_its_migrations_without_any_secret():
    """`makemigrations --check` runs with no environment at all, and finds models and
    migrations in step."""
    environment = {"PATH": os.environ["PATH"]}
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_login_page_and_logging_in(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "Log in" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "caseworker", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    # A caseworker sees identities: the second factor comes next (tests/test_two_factor.py).
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"
    device = TOTPDevice.objects.get(user__username="caseworker", confirmed=True)
    response = client.post("/accounts/two-factor/", {"code": current_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "Sofia" in home and "Safe Harbour Association" in home


def test_repeated_failed_logins_lock_the_account(client, db):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "prosecutor", "password": "wrong password"})
    locked = client.post("/accounts/login/", {"username": "prosecutor", "password": settings.DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_end_after_idle_time(login):
    from django.contrib.sessions.backends.cached_db import SessionStore

    client = login("judge")
    assert client.get("/").status_code == 200
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE <= 3600
    # Idle past the limit: the stored expiry lies in the past.
    store = SessionStore(session_key=client.session.session_key)
    store.set_expiry(-1)
    store.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_logout_needs_a_post_and_ends_the_session(login):
    client = login("judge")
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


NAV = {
    "investigator": {"Cases", "Victims", "API"},
    "frontline": {"Victims", "API"},
    "caseworker": {"Cases", "Victims", "API"},
    "focalpoint": {"Cases", "Victims", "API"},
    "auditor": {"Access log", "API"},
    "admin": {"Administration", "API"},
}


@pytest.mark.parametrize("username,expected", NAV.items())
def test_navigation_depends_on_functions(login, username, expected):
    html = login(username).get("/").content.decode()
    nav = html.split('<ul class="main-nav">')[1].split("</ul>")[0]
    for label in {"Cases", "Victims", "Access log", "Administration", "API"}:
        assert (f">{label}</a>" in nav) is (label in expected), label


def test_access_log_is_for_auditors_only(login, demo):
    login("caseworker").get(f"/victims/{demo.victim('V1').pk}/")
    refused = login("prosecutor").get("/accounts/access-log/")
    assert refused.status_code == 403 and "Not allowed" in refused.content.decode()
    assert AccessLog.objects.filter(username="prosecutor", action="denied", requested="read access log").exists()
    page = login("auditor").get("/accounts/access-log/", {"object": "V-DM7K2QXP"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "caseworker" in html and "Viewed victim identity" in html
    assert "João" not in html  # the log never holds identity


def test_administrators_manage_agencies_but_see_no_cases(login):
    client = login("admin")
    assert client.get("/admin/accounts/agency/").status_code == 200
    assert "Safe Harbour Association" in client.get("/admin/accounts/agency/").content.decode()
    assert client.get("/admin/cases/case/").status_code == 404
    assert client.get("/admin/accounts/accesslog/").status_code == 403  # auditors' business
    assert "PT-LIS-2026-0001" not in client.get("/").content.decode()


def test_health_reports_database_and_redis(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": True, "redis": True}


def test_api_schema_and_docs(login, client):
    assert client.get("/api/schema/").status_code in (401, 403)
    user = login("prosecutor")
    schema = user.get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/cases/{id}/" in body and "/api/victims/{id}/" in body
    docs = user.get("/api/docs/")
    assert docs.status_code == 200 and "swagger-ui" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()


def test_api_token_login(client, db):
    response = client.post("/api/token/", {"username": "judge", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.json()["functions"] == ["judge"] and me.json()["agency"] == "Lisbon Criminal Court"


def test_every_language_of_the_un_is_offered(client, db):
    html = client.get("/accounts/login/").content.decode()
    for name in ("English", "français", "español", "العربيّة", "Русский", "简体中文"):
        assert name in html, name


def test_calendar_feed_tokens_never_reach_a_log_line():
    """Web-server access lines, the dev server's log and request warnings all pass through
    the redaction: the feed token is a password."""
    import logging

    from gunicorn.config import Config

    from config.redaction import GunicornLogger, RedactFeedTokens, redact

    secret = "s3cr3t-T0ken_value"
    assert redact(f"GET /calendar/feed/{secret}.ics HTTP/1.1") == "GET /calendar/feed/[redacted].ics HTTP/1.1"
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /calendar/feed/{secret}.ics HTTP/1.1", "200", "512"), None)
    RedactFeedTokens().filter(record)
    assert secret not in record.getMessage()
    server = logging.getLogger("django.server").handlers
    assert any(isinstance(f, RedactFeedTokens) for h in server for f in h.filters)
    from django.conf import settings as django_settings

    # The root console handler too (pytest swaps it for its own capture while testing).
    assert "redact_feed_tokens" in django_settings.LOGGING["handlers"]["console"]["filters"]

    class Request:
        method, path, query, uri, version, headers = "GET", f"/calendar/feed/{secret}.ics", "", "", (1, 1), []

    class Response:
        status, response_length, sent, headers = "200 OK", 10, 10, []

    environ = {"RAW_URI": f"/calendar/feed/{secret}.ics", "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1"}
    import datetime

    atoms = GunicornLogger(Config()).atoms(Response(), Request(), environ, datetime.timedelta(seconds=0.1))
    assert not any(secret in str(value) for value in atoms.values())
    from django.conf import settings

    assert "config.redaction.GunicornLogger" in (settings.BASE_DIR / "Dockerfile").read_text()
