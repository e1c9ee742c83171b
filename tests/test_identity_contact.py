"""HTCDS's contact and mailing-address fields in the victim's identity [SPEC 2.3]: salutation,
title, e-mail and phones are identity (view_identity), every part of the mailing address is the
supporting NGO's (view_shelter). Each demo function, on the page, the API detail and list and
the identity form, sees exactly what its rights give and none of the rest; malformed e-mails
and phone numbers are refused with a clear message and write nothing; every change leaves a
history row; the old free-text address survives the migration as the street."""

import dataclasses
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.utils.html import escape
from django_countries.fields import CountryField
from drf_spectacular.generators import SchemaGenerator

from accounts.models import AccessLog, Agency, User
from victims import services
from victims.api.victim import WRITABLE_IDENTITY_FIELDS
from victims.forms import IdentityForm
from victims.identity import RevealedIdentity, reveal_identity
from victims.models import IDENTITY_FIELDS, MAILING_ADDRESS_FIELDS, SHELTER_FIELDS, Victim, VictimIdentity

from .conftest import VICTIMS
from .test_htcds_recoding import migrate
from .test_htcds_reference import FIELDS as HTCDS

# The HTCDS 2.0 core Person fields and where they live here.
HTCDS_FIELDS = {
    "prs_Salutation": "salutation", "prs_Title": "title", "prs_Email": "email", "prs_HomePhone": "home_phone",
    "prs_MobilePhone": "mobile_phone", "prs_MailingStreet": "mailing_street", "prs_MailingCity": "mailing_city",
    "prs_MailingState": "mailing_state", "prs_MailingPostalCode": "mailing_postal_code",
    "prs_MailingCountry": "mailing_country",
}

# Values no other part of any page or answer holds, so their absence proves something.
CONTACT = {  # view_identity
    "salutation": "Excelentíssima Senhora", "title": "Professora Doutora", "email": "quillon.v1@example.net",
    "home_phone": "+351 211 000 101", "mobile_phone": "+351 961 000 101",
}
ADDRESS = {  # view_shelter; the country is checked apart (a code in the API, a name on the page)
    "mailing_street": "Rua do Cofre Fechado 77", "mailing_city": "Vila Quillon", "mailing_state": "Distrito Quillon",
    "mailing_postal_code": "9999-101",
}
COUNTRY, COUNTRY_NAME = "LI", "Liechtenstein"

# Each function of the brief, by demo login: Rota Segura's caseworker is another NGO's, to which
# the fixture has V1 consent to share the identity; Casa Acolhida's is an NGO abroad, unlinked.
ROLES = {
    "investigator": "investigator", "prosecutor": "prosecutor", "caseworker": "caseworker",
    "other_ngo": "luisa.teixeira", "ngo_abroad": "caseworker.br", "clerk": "clerk", "judge": "judge",
    "focalpoint": "focalpoint", "supervisor": "supervisor", "frontline": "frontline", "auditor": "auditor",
}
# Written out, not asked of the policy: who sees the record, the identity, the address and who
# gets the identity form, for V1 (case C1, supported by Safe Harbour) and V6 (no case, recorded
# by the front-line officer, supported by Safe Harbour).
SEES = {"V1": {"investigator", "prosecutor", "caseworker", "other_ngo", "clerk", "judge", "focalpoint", "supervisor"},
        "V6": {"frontline", "caseworker"}}
IDENTITY = {"V1": {"investigator", "prosecutor", "caseworker", "other_ngo"}, "V6": {"frontline", "caseworker"}}
ADDRESS_READERS = {"V1": {"caseworker"}, "V6": {"caseworker"}}
EDITS_IDENTITY = {"V1": {"investigator", "prosecutor", "caseworker"}, "V6": {"frontline", "caseworker"}}


def values_for(key):
    """The fixture's values for V1, or V6's (each told apart, so one victim's never shows on the
    other's page unnoticed)."""
    if key == "V1":
        return CONTACT, ADDRESS
    contact = {name: value.replace("101", "106").replace("v1", "v6") for name, value in CONTACT.items()}
    return contact, {name: f"{value} (6)" for name, value in ADDRESS.items()}


@pytest.fixture
def filled(demo):
    """V1 and V6 with every new field filled in, through the service; V1's identity shared, by
    consent, with Rota Segura (another NGO)."""
    for key in ("V1", "V6"):
        contact, address = values_for(key)
        services.update_identity(demo.victim(key), **contact, **address, mailing_country=COUNTRY)
    services.give_consent(demo.victim("V1"), actor=demo.user("caseworker"), purpose="share_identity",
                          agency=Agency.objects.get(name="Rota Segura Association"), informed=True)
    return demo


def _absent(value, text):
    return value not in text and escape(value) not in text and json.dumps(value)[1:-1] not in text


# --- The fields ---------------------------------------------------------------------------------

def test_each_htcds_core_person_field_has_its_field():
    for htcds, name in HTCDS_FIELDS.items():
        assert HTCDS[htcds]["section"] == "Person" and HTCDS[htcds]["core"], htcds
        assert VictimIdentity._meta.get_field(name).blank, name
    sizes = {"salutation": 40, "title": 100, "email": 254, "home_phone": 40, "mobile_phone": 40, "mailing_city": 100,
             "mailing_state": 100, "mailing_postal_code": 20}
    for name, size in sizes.items():
        assert VictimIdentity._meta.get_field(name).max_length == size, name
    assert isinstance(VictimIdentity._meta.get_field("email"), models.EmailField)
    assert isinstance(VictimIdentity._meta.get_field("mailing_street"), models.TextField)
    assert isinstance(VictimIdentity._meta.get_field("mailing_country"), CountryField)
    assert str(VictimIdentity._meta.get_field("contact").verbose_name) == "other contact details"


def test_every_identity_field_has_exactly_one_right_and_every_reader_follows_it():
    stored = {field.name for field in VictimIdentity._meta.concrete_fields} - {"victim"}
    assert not set(IDENTITY_FIELDS) & set(SHELTER_FIELDS)
    assert set(IDENTITY_FIELDS) | set(SHELTER_FIELDS) == stored
    assert set(MAILING_ADDRESS_FIELDS) == {name for name in HTCDS_FIELDS.values() if name.startswith("mailing_")}
    assert {f.name for f in dataclasses.fields(RevealedIdentity)} == stored | {"full_name"}
    assert set(WRITABLE_IDENTITY_FIELDS) == stored
    assert set(IdentityForm(shelter=True).fields) == stored
    assert set(IdentityForm(shelter=False).fields) == set(IDENTITY_FIELDS)


def test_the_api_schema_makes_the_address_nullable_and_the_contact_not():
    identity = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["Identity"]
    properties = identity["properties"]
    for name in SHELTER_FIELDS:
        assert properties[name].get("nullable") is True or {"type": "null"} in properties[name].get("oneOf", []), name
    for name in CONTACT:
        assert not properties[name].get("nullable"), name


# --- Who sees what --------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_who_sees_each_new_field_on_the_page_the_api_and_the_form(filled, login, api_login, role):
    user = User.objects.get(username=ROLES[role])
    page_client, api = login(user.username), api_login(user.username)
    listed = api.get("/api/victims/").content.decode()
    for key in ("V1", "V6"):
        victim = filled.victim(key)
        contact, address = values_for(key)
        sees, identity, shelter = (role in rights[key] for rights in (SEES, IDENTITY, ADDRESS_READERS))
        logged_before = AccessLog.objects.filter(username=user.username, action=AccessLog.Action.VIEW_IDENTITY).count()

        # The list never carries the identity, whoever asks.
        for value in (*contact.values(), *address.values()):
            assert _absent(value, listed), (key, value)

        page = page_client.get(f"/victims/{victim.pk}/")
        detail = api.get(f"/api/victims/{victim.pk}/")
        form = page_client.get(f"/victims/{victim.pk}/identity/")
        if not sees:
            assert (page.status_code, detail.status_code, form.status_code) == (404, 404, 404), key
        else:
            assert (page.status_code, detail.status_code) == (200, 200), key
        html, body = page.content.decode(), detail.content.decode()
        for value in contact.values():
            assert (escape(value) in html) is identity, (key, value)
            assert (not _absent(value, body)) is identity, (key, value)
        for value in address.values():
            assert (escape(value) in html) is shelter, (key, value)
            assert (not _absent(value, body)) is shelter, (key, value)
        assert (COUNTRY_NAME in html) is shelter, key
        assert ('id="mailing-address"' in html) is shelter, key
        if sees:
            revealed = detail.json()["identity"]
            assert (revealed is not None) is identity, key
        if identity:
            assert {name: revealed[name] for name in contact} == contact
            expected = {**address, "mailing_country": COUNTRY} if shelter else dict.fromkeys(MAILING_ADDRESS_FIELDS)
            assert {name: revealed[name] for name in MAILING_ADDRESS_FIELDS} == expected, key
            # Page, API and form (when given): each read of the identity is logged.
            reads = 3 if role in EDITS_IDENTITY[key] else 2
            assert AccessLog.objects.filter(username=user.username, action=AccessLog.Action.VIEW_IDENTITY).count() == (
                logged_before + reads), key
        else:
            assert AccessLog.objects.filter(username=user.username, action=AccessLog.Action.VIEW_IDENTITY).count() == (
                logged_before), key

        # The identity form: only for who may change the record and see the identity; the address
        # fields only for the supporting NGO.
        if sees:
            assert form.status_code == (200 if role in EDITS_IDENTITY[key] else 403), key
        edit = form.content.decode()
        for value in contact.values():
            assert (escape(value) in edit) is (form.status_code == 200), (key, value)
        for name, value in address.items():
            assert (escape(value) in edit) is (form.status_code == 200 and shelter), (key, value)
            assert (f'name="{name}"' in edit) is (form.status_code == 200 and shelter), (key, name)
        assert (f'value="{COUNTRY}" selected' in edit) is (form.status_code == 200 and shelter), key


def test_the_page_shows_the_address_as_one_address(filled, login):
    html = login("caseworker").get(f"/victims/{filled.victim('V1').pk}/").content.decode()
    contact, address = values_for("V1")
    block = html[html.index('id="mailing-address"'):]
    block = block[:block.index("</dd>")]
    expected = "\n".join([address["mailing_street"], f"{address['mailing_postal_code']} {address['mailing_city']}",
                          address["mailing_state"], COUNTRY_NAME])
    assert expected in block


def test_the_demo_records_contact_and_address_for_v1(demo):
    identity = VictimIdentity.objects.get(victim__code=VICTIMS["V1"])
    assert (identity.email, identity.mobile_phone) == ("joao.silva@example.net", "+351 900 000 001")
    assert (identity.mailing_city, identity.mailing_postal_code, identity.mailing_country.code) == (
        "Lisboa", "1200-999", "PT")


# --- Writing --------------------------------------------------------------------------------------

BAD = [("email", "joao.silva@", "Enter a valid email address."),
       ("mobile_phone", "call after 6", "Enter a phone number"),
       ("home_phone", "21 12a 34", "Enter a phone number"),
       ("home_phone", "- -", "Enter a phone number")]


def _state(victim):
    identity = VictimIdentity.objects.get(victim=victim)
    return (Victim.objects.get(pk=victim.pk).version, identity.history.count(),
            {name: getattr(identity, name) for name in IDENTITY_FIELDS if name != "date_of_birth"})


@pytest.mark.parametrize("name, value, message", BAD)
def test_a_bad_email_or_phone_is_refused_with_a_clear_message_and_nothing_is_written(
        demo, login, api_login, name, value, message):
    victim = demo.victim("V1")
    before = _state(victim)
    page = login("caseworker").post(f"/victims/{victim.pk}/identity/", {
        "given_names": "Changed", "family_name": "Silva", name: value, "version": victim.version})
    assert page.status_code == 200 and message in page.content.decode()
    assert _state(victim) == before
    api = api_login("caseworker").patch(f"/api/victims/{victim.pk}/", {
        "version": victim.version, "sex": "Feminine", "identity": {"given_names": "Changed", name: value}},
        format="json")
    assert api.status_code == 400 and message in str(api.json()["identity"][name]), api.json()
    assert _state(victim) == before and Victim.objects.get(pk=victim.pk).sex == "Masculine"
    with pytest.raises(ValidationError) as refused:
        services.update_identity(victim, given_names="Changed", **{name: value})
    assert message in " ".join(refused.value.message_dict[name])
    assert _state(victim) == before
    # Nor is a victim recorded with it.
    count = Victim.objects.count()
    recorded = api_login("caseworker").post("/api/victims/", {"identity": {name: value}}, format="json")
    assert recorded.status_code == 400 and name in recorded.json()["identity"]
    assert Victim.objects.count() == count


def test_phone_numbers_are_taken_as_people_write_them(demo):
    victim = demo.victim("V6")
    for number in ("+351 912 345 678", "(21) 123-45.67", "00 977 1 4412345", "912345678"):
        services.update_identity(victim, mobile_phone=number, home_phone=number)
        assert VictimIdentity.objects.get(victim=victim).mobile_phone == number


def test_an_unknown_field_is_refused_not_dropped(demo):
    # `address` became `mailing_street`: a caller still using the old name must not lose the value.
    victim = demo.victim("V1")
    with pytest.raises(TypeError, match="address"):
        services.update_identity(victim, address="Rua Nova 1")
    assert VictimIdentity.objects.get(victim=victim).mailing_street == "Rua das Flores 12, 3.º dto."


def test_without_view_shelter_no_address_part_can_be_written(demo, login, api_login):
    victim = demo.victim("V1")
    before = VictimIdentity.objects.get(victim=victim)
    for name, value in {**ADDRESS, "mailing_country": COUNTRY}.items():
        refused = api_login("investigator").patch(f"/api/victims/{victim.pk}/", {
            "version": victim.version, "identity": {name: value}}, format="json")
        assert refused.status_code == 403, name
    # On the page the fields are not in the form: whatever is posted for them is ignored.
    posted = login("investigator").post(f"/victims/{victim.pk}/identity/", {
        "given_names": "João", "family_name": "Silva", "mobile_phone": "+351 900 000 001",
        **ADDRESS, "mailing_country": COUNTRY, "version": victim.version})
    assert posted.status_code == 302
    after = VictimIdentity.objects.get(victim=victim)
    assert {name: getattr(after, name) for name in SHELTER_FIELDS} == {
        name: getattr(before, name) for name in SHELTER_FIELDS}


def test_an_identity_change_leaves_a_history_row(demo, login):
    victim = demo.victim("V1")
    identity = VictimIdentity.objects.get(victim=victim)
    rows = identity.history.count()
    response = login("caseworker").post(f"/victims/{victim.pk}/identity/", {
        "given_names": "João", "family_name": "Silva", "email": "joao.new@example.net",
        "mobile_phone": "+351 900 000 009", "mailing_street": "Rua Nova 3", "mailing_city": "Porto",
        "mailing_postal_code": "4000-999", "mailing_country": "PT", "version": victim.version})
    assert response.status_code == 302
    assert identity.history.count() == rows + 1
    latest, previous = identity.history.all()[:2]
    assert (latest.email, latest.mobile_phone, latest.mailing_street, latest.mailing_city) == (
        "joao.new@example.net", "+351 900 000 009", "Rua Nova 3", "Porto")
    assert latest.history_user.username == "caseworker"
    assert (previous.email, previous.mailing_street) == ("joao.silva@example.net", "Rua das Flores 12, 3.º dto.")


def test_without_view_shelter_every_address_part_is_none_not_empty(demo):
    # The dataclass is what pages and the API get: for a reader without view_shelter every part
    # of the address is None, not "".
    revealed = reveal_identity(demo.user("prosecutor"), demo.victim("V1"), purpose="test")
    assert revealed.email == "joao.silva@example.net"
    assert all(getattr(revealed, name) is None for name in SHELTER_FIELDS)
    assert revealed.mailing_address is None


# --- The migration --------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_free_text_address_becomes_the_street_with_its_history():
    call_command("seed_demo", stdout=io.StringIO())
    apps = migrate([("victims", "0010_victim_locations")])
    OldIdentity = apps.get_model("victims", "VictimIdentity")
    OldHistory = apps.get_model("victims", "HistoricalVictimIdentity")
    victim_id = Victim.objects.get(code=VICTIMS["V2"]).pk
    OldIdentity.objects.filter(victim_id=victim_id).update(address="Rua Antiga 5, 1.º\n1100-999 Lisboa")
    earliest = OldHistory.objects.filter(victim_id=victim_id).order_by("history_id").first()
    OldHistory.objects.filter(history_id=earliest.history_id).update(address="Rua Primeira 1, Lisboa")

    migrate(None)

    identity = VictimIdentity.objects.get(victim_id=victim_id)
    assert identity.mailing_street == "Rua Antiga 5, 1.º\n1100-999 Lisboa"
    assert (identity.mailing_city, identity.email, identity.mailing_country.code) == ("", "", "")
    assert identity.history.get(history_id=earliest.history_id).mailing_street == "Rua Primeira 1, Lisboa"
    # And back: the street is the address again.
    apps = migrate([("victims", "0010_victim_locations")])
    assert apps.get_model("victims", "VictimIdentity").objects.get(victim_id=victim_id).address == (
        "Rua Antiga 5, 1.º\n1100-999 Lisboa")
    migrate(None)
