"""Two-factor sign-in for whoever may see victims' identities [SPEC 3]: the password alone
opens nothing for them (pages, API, tokens); the first sign-in sets the authenticator up; a
code is good once; backup codes are spent; the others are not asked. Every demo user is
checked, so a change of the policy's identity readers shows up here."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import two_factor
from accounts.models import AccessLog, User
from accounts.two_factor import current_code

from . import factories
from .conftest import DEMO_USERS, VICTIMS

TWO_FACTOR = "/accounts/two-factor/"
# Whoever may see a victim's identity: investigators, prosecutors, caseworkers, and front-line
# officers (the victims they recorded).
IDENTITY_READERS = {"investigator", "frontline", "prosecutor", "caseworker", "investigator.br", "caseworker.br"}


def test_the_second_factor_is_owed_by_exactly_the_functions_the_policy_lets_see_identities():
    """accounts cannot ask the policy (it sits below it), so it names the functions itself."""
    import access
    from accounts.functions import SECOND_FACTOR, Function
    from victims.models import Victim

    assert SECOND_FACTOR == access.rule_for(Victim).functions_for("view_identity")
    for function in Function:
        user = User(username=f"only-{function}", functions=[function])
        assert two_factor.required(user) == access.may_use(user, Victim, "view_identity"), function


def password_only(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


def device(username):
    return TOTPDevice.objects.get(user__username=username, confirmed=True)


def test_the_demo_users_who_must_give_a_second_factor(demo):
    assert set(DEMO_USERS) >= IDENTITY_READERS
    for username in DEMO_USERS:
        user = User.objects.get(username=username)
        assert two_factor.required(user) == (username in IDENTITY_READERS), username


@pytest.mark.parametrize("username", sorted(IDENTITY_READERS))
def test_a_password_alone_opens_nothing_for_identity_readers(demo, username):
    client = password_only(username)
    victim = demo.victim("V1")
    for url in ("/", "/cases/", "/victims/", f"/victims/{victim.pk}/", "/calendar/", "/calendar/notifications/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{TWO_FACTOR}?next="), url
    api = client.get("/api/victims/")
    assert api.status_code == 403 and "second factor" in api.json()["detail"]
    # Nothing about a victim was shown, so nothing was logged as seen.
    assert not AccessLog.objects.filter(username=username, action=AccessLog.Action.VIEW_IDENTITY).exists()


@pytest.mark.parametrize("username", sorted(set(DEMO_USERS) - IDENTITY_READERS - {"admin"}))
def test_the_others_are_not_asked(demo, username):
    client = password_only(username)
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user__username=username).exists()


def test_the_code_opens_the_session_and_returns_to_the_page_asked_for(demo):
    client = password_only("prosecutor")
    asked = client.get("/victims/")
    page = client.get(asked["Location"])
    html = page.content.decode()
    assert "Second factor" in html and 'autocomplete="one-time-code"' in html
    assert 'href="/cases/"' not in html and "Notifications (" not in html  # no menu before the second factor
    # The demo account's key is public, so the page shows its code; a wrong code is refused.
    assert re.search(r'id="demo-code".*?<strong>(\d{6})</strong>', html, re.S)[1] == current_code(device("prosecutor"))
    wrong = client.post(TWO_FACTOR, {"code": "000000", "next": "/victims/"})
    assert "That code is not valid" in wrong.content.decode()
    assert client.get("/victims/").status_code == 302
    time.sleep(1.1)  # one wrong code: the next try waits a second
    done = client.post(TWO_FACTOR, {"code": current_code(device("prosecutor")), "next": "/victims/"})
    assert (done.status_code, done["Location"]) == (302, "/victims/")
    assert VICTIMS["V1"] in client.get("/victims/").content.decode()
    # Once given, the page sends you on.
    assert client.get(TWO_FACTOR)["Location"] == "/"


def test_a_code_is_good_only_once(demo):
    code = current_code(device("investigator"))
    first = password_only("investigator")
    assert first.post(TWO_FACTOR, {"code": code})["Location"] == "/"
    second = password_only("investigator")
    assert "That code is not valid" in second.post(TWO_FACTOR, {"code": code}).content.decode()
    assert second.get("/").status_code == 302


def test_an_outside_next_address_is_ignored(demo):
    client = password_only("caseworker")
    response = client.post(TWO_FACTOR, {"code": current_code(device("caseworker")), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_first_sign_in_sets_up_the_authenticator_and_gives_backup_codes(demo):
    user = User.objects.get(username="caseworker")
    TOTPDevice.objects.filter(user=user).delete()
    client = password_only("caseworker")
    html = client.get(TWO_FACTOR).content.decode()
    assert "Set up your second factor" in html and "<svg" in html and 'id="demo-code"' not in html
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)[1]
    assert shown == two_factor.secret(new)
    # Reloading the page keeps the same key (the app may already hold it).
    assert shown in client.get(TWO_FACTOR).content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1

    refused = client.post(TWO_FACTOR, {"code": "123456"})
    assert "That is not the code your app shows now" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    time.sleep(1.1)

    done = client.post(TWO_FACTOR, {"code": current_code(new)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == two_factor.BACKUP_CODES and len(set(codes)) == len(codes)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").status_code == 200

    # A backup code opens one sign-in and is then spent.
    later = password_only("caseworker")
    assert later.post(TWO_FACTOR, {"code": codes[0]})["Location"] == "/"
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    again = password_only("caseworker")
    assert "That code is not valid" in again.post(TWO_FACTOR, {"code": codes[0]}).content.decode()


def test_a_second_setup_cannot_replace_a_confirmed_authenticator(demo):
    """With the password alone nobody can swap in an authenticator of their own."""
    client = password_only("prosecutor")
    html = client.get(TWO_FACTOR).content.decode()
    assert "Set up your second factor" not in html and "<svg" not in html
    assert TOTPDevice.objects.filter(user__username="prosecutor").count() == 1


def test_repeated_wrong_codes_are_throttled(demo):
    client = password_only("investigator")
    for _ in range(3):
        response = client.post(TWO_FACTOR, {"code": "000000"})
    # Each wrong code doubles the wait; meanwhile even the right code is refused.
    assert "Wait 1 second before the next try" in response.content.decode()
    response = client.post(TWO_FACTOR, {"code": current_code(device("investigator"))})
    assert "That code is not valid" in response.content.decode() and client.get("/").status_code == 302
    # Tries during the wait are refused without being weighed; the next wrong one doubles it.
    assert device("investigator").throttling_failure_count == 1
    time.sleep(1.1)
    response = client.post(TWO_FACTOR, {"code": "000000"})
    assert "Wait 2 seconds before the next try" in response.content.decode()
    assert device("investigator").throttling_failure_count == 2


# --- The API ----------------------------------------------------------------------------------

def token(data):
    return APIClient().post("/api/token/", data, format="json")


@pytest.mark.django_db(transaction=True)
def test_a_token_needs_the_second_factor_of_an_identity_reader():
    """Transactional, like the token throttling test: a wrong code's count must survive the
    error response."""
    user = factories.user(factories.agency("prosecution"), "prosecutor", username="tokenholder")
    user.set_password("the right password")
    user.save()
    authenticator = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    credentials = {"username": "tokenholder", "password": "the right password"}
    missing = token(credentials)
    assert missing.status_code == 400 and "A code from your authenticator app" in missing.json()["otp"][0]
    wrong = token({**credentials, "otp": "000000"})
    assert wrong.status_code == 400 and "not valid" in wrong.json()["otp"][0]
    authenticator.refresh_from_db()
    assert authenticator.throttling_failure_count == 1
    time.sleep(1.1)
    good = token({**credentials, "otp": current_code(authenticator)})
    assert good.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {good.json()['token']}")
    assert client.get("/api/victims/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_token_for_someone_without_an_authenticator_sends_them_to_the_web_page():
    user = factories.user(factories.agency("ngo"), "caseworker", username="noapp")
    user.set_password("the right password")
    user.save()
    response = token({"username": "noapp", "password": "the right password", "otp": "123456"})
    assert response.status_code == 400 and "Set up your second factor on the web page" in response.json()["otp"][0]


def test_others_get_a_token_with_the_password(demo):
    assert token({"username": "judge", "password": settings.DEMO_PASSWORD}).status_code == 200


# --- Administrators ---------------------------------------------------------------------------

def test_an_administrator_resets_a_lost_authenticator_without_seeing_its_key(demo, login):
    admin = login("admin")
    lost = device("prosecutor")
    listing = admin.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "Demo authenticator" in listing
    page = admin.get(f"/admin/otp_totp/totpdevice/{lost.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200 and "Demo authenticator" in html
    assert lost.key not in html and two_factor.secret(lost).replace(" ", "") not in html.replace(" ", "")
    assert admin.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    assert admin.get("/admin/otp_static/staticdevice/").status_code == 200
    response = admin.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="prosecutor").exists()
    # The prosecutor sets up a new authenticator at the next sign-in, backup codes or not.
    two_factor.new_backup_codes(User.objects.get(username="prosecutor"))
    assert "Set up your second factor" in password_only("prosecutor").get(TWO_FACTOR).content.decode()
