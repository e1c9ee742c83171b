"""The Content-Security-Policy and the markup it allows.

The policy (settings.CONTENT_SECURITY_POLICY, django-csp) runs scripts and styles only from our
own static files. A page that still carried an inline <style>, a style= attribute, an on…=
handler or an inline <script> would break under it, so every page the demo users reach is walked
here and its HTML read tag by tag (tests/test_browser_csp.py does the same in a browser)."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_the_policy_is_sent_under_production_settings(db):
    """DEBUG and TESTING off, as deployed: the header on a page, with exactly these directives."""
    database = connection.settings_dict
    # The one thing not as deployed: static files by name (production's manifest needs collectstatic).
    script = ("from django.conf import settings; from django.test import Client, override_settings; "
              "plain = {**settings.STORAGES, 'staticfiles': "
              "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}; "
              "assert not settings.DEBUG and not settings.TESTING; "
              "r = override_settings(STORAGES=plain)(Client().get)('/accounts/login/', secure=True, "
              "HTTP_HOST='cases.example.org'); "
              "print(r.status_code); print(r['Content-Security-Policy'])")
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING"}}
    environment.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="cases.example.org",
                       DATABASE_URL="postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database))
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    status, header = result.stdout.strip().splitlines()[-2:]
    assert status == "200"
    assert directives(header) == POLICY


def test_the_policy_is_sent_on_pages_the_admin_and_the_api_docs(login):
    prosecutor = login("prosecutor")
    for url in ("/cases/", "/api/docs/", "/api/docs/?script="):
        response = prosecutor.get(url)
        assert response.status_code == 200, url
        assert directives(response["Content-Security-Policy"]) == POLICY, url
    assert directives(login("admin").get("/admin/")["Content-Security-Policy"]) == POLICY
    assert directives(Client().get("/accounts/login/")["Content-Security-Policy"]) == POLICY


class InlineMarkup(HTMLParser):
    """What a strict policy blocks: <style> elements, style= and on…= attributes, <script>
    without src (a <script type="application/json"> data block would be allowed; there is none)."""

    def __init__(self):
        super().__init__()
        self.found, self.links = [], []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        position = "line %d" % self.getpos()[0]
        if tag == "style":
            self.found.append(f"<style> at {position}")
        if tag == "script" and "src" not in names:
            self.found.append(f"inline <script> at {position}")
        for name in names:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"{name}= on <{tag}> at {position}")
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    handle_startendtag = handle_starttag


def inline_markup(html):
    parser = InlineMarkup()
    parser.feed(html)
    return parser.found, parser.links


def test_the_parser_finds_what_the_policy_blocks():
    found, _ = inline_markup('<style>p{}</style><p style="x"><a onclick="y"></a><script>z</script>'
                             '<script src="/static/js/app.js"></script><svg><path style="fill:red"/></svg>')
    assert len(found) == 5


# Links not followed: they download, change something on a GET (none should) or leave the HTML.
SKIP = re.compile(r"/logout|/export|/download|/i18n/|\.ics|/feed/|/api/schema|/static/|/health")
PAGES_PER_USER = 40


def walk(client, start):
    """The pages reachable from `start` by following links, breadth first: path and HTML."""
    seen, queue, pages = set(), list(start), []
    per_path = {}
    while queue and len(pages) < PAGES_PER_USER:
        url = queue.pop(0).split("#")[0]
        parsed = urlparse(url)
        if not url or url in seen or parsed.netloc or parsed.scheme or SKIP.search(url):
            continue
        if parsed.query:  # filters, pages and calendar steps: a few of each
            per_path[parsed.path] = per_path.get(parsed.path, 0) + 1
            if per_path[parsed.path] > 2:
                continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        found, links = inline_markup(html)
        pages.append((url, found))
        queue += [urljoin(url, link) for link in links if link and not link.startswith(("mailto:", "javascript:"))]
    return pages


@pytest.mark.parametrize("username", ["prosecutor", "investigator", "caseworker", "clerk", "focalpoint",
                                      "supervisor", "frontline", "auditor", "admin"])
def test_no_page_a_demo_user_reaches_has_inline_styles_or_scripts(login, username):
    start = ["/"] + (["/admin/", "/admin/deadlines/sweeprun/"] if username == "admin" else ["/api/docs/"])
    pages = walk(login(username), start)
    assert len(pages) >= (3 if username in ("auditor", "focalpoint") else 10), [url for url, _ in pages]
    offending = {url: found for url, found in pages if found}
    assert offending == {}


def test_the_sign_in_pages_have_no_inline_styles_or_scripts(client, db):
    from django.conf import settings

    for url in ("/accounts/login/",):
        assert inline_markup(client.get(url).content.decode())[0] == []
    client.post("/accounts/login/", {"username": "prosecutor", "password": settings.DEMO_PASSWORD})
    two_factor = client.get("/accounts/two-factor/")
    assert two_factor.status_code == 200 and 'name="code"' in two_factor.content.decode()
    assert inline_markup(two_factor.content.decode())[0] == []


def test_setting_up_an_authenticator_draws_its_qr_code_without_inline_styles(client, db):
    """The QR code of a new key is inline SVG: paths only, nothing the policy refuses."""
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="prosecutor").delete()
    client.post("/accounts/login/", {"username": "prosecutor", "password": settings.DEMO_PASSWORD})
    html = client.get("/accounts/two-factor/").content.decode()
    assert "<svg" in html and "<path" in html
    assert inline_markup(html)[0] == []
