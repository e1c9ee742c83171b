"""The decision "not a victim of trafficking" [SPEC 2.3]: a decision of its own with reasons,
not a step down the ladder; it ends only the protections it names, the rest staying in force
and shown as such; while it stands no service or reflection period opens, and a later decision
may record the person as presumed or identified again. The page asks for confirmation, the API
does the same through its own action, and who may decide is who may set the status."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

import access
from deadlines.models import Deadline
from referrals import services as referral_services
from referrals.models import Referral
from referrals.timings import annotate_timings
from victims import services
from victims.models import (
    AssistanceService, Consent, ReflectionPeriod, ResidencePermit, StatusDecision, Victim, VictimCaseLink,
    VictimSupport,
)

from . import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(db):
    class World:
        police = factories.agency("police")
        ngo = factories.agency("ngo")
        other_ngo = factories.agency("ngo")
        clinic = factories.agency("health")
    w = World()
    w.investigator = factories.user(w.police, "investigator")
    w.caseworker = factories.user(w.ngo, "caseworker")
    w.other_caseworker = factories.user(w.other_ngo, "caseworker")
    victim = factories.victim(w.investigator, supporting_agencies=[w.ngo, w.other_ngo])
    services.link_to_case(victim, factories.case(w.investigator), VictimCaseLink.Role.COMPLAINANT)
    started = TODAY() - 10 * DAY
    services.set_status(victim, Victim.Status.PRESUMED, actor=w.caseworker, authority="Safe Harbour",
                        criteria="Indicators: debt, documents withheld", decided_on=started)
    w.shelter = services.add_service(victim, kind="shelter", provider=w.ngo, started_on=started)
    w.medical = services.add_service(victim, kind="medical", provider=w.clinic, started_on=started)
    w.period = services.start_reflection_period(victim, jurisdiction=factories.jurisdiction(), started_on=started)
    w.permit = ResidencePermit.objects.create(victim=victim, kind=ResidencePermit.Kind.VICTIM,
                                              status=ResidencePermit.Status.GRANTED, issued_on=started,
                                              expires_on=started + 365 * DAY)
    w.support = VictimSupport.objects.get(victim=victim, agency=w.ngo)
    w.other_support = VictimSupport.objects.get(victim=victim, agency=w.other_ngo)
    w.victim = Victim.objects.get(pk=victim.pk)
    return w


def keys(world):
    return {"shelter": f"service:{world.shelter.pk}", "medical": f"service:{world.medical.pk}",
            "period": f"reflection:{world.period.pk}", "permit": f"permit:{world.permit.pk}",
            "support": f"support:{world.support.pk}", "other_support": f"support:{world.other_support.pk}"}


def decide(world, actor=None, **fields):
    fields.setdefault("authority", "Judicial Police – Anti-Trafficking Unit")
    fields.setdefault("reasons", "Interview and documents: regular work, paid, free to leave.")
    return services.decide_not_a_victim(world.victim, actor=actor or world.investigator, **fields)


def snapshot(world):
    """Everything a decision could write, with the history rows."""
    victim = Victim.objects.get(pk=world.victim.pk)
    return (
        victim.status, victim.version, StatusDecision.objects.filter(victim=victim).count(),
        sorted(AssistanceService.objects.filter(victim=victim).values_list("pk", "ended_on")),
        sorted(ReflectionPeriod.objects.filter(victim=victim).values_list("pk", "ended_on")),
        sorted(VictimSupport.objects.filter(victim=victim).values_list("pk", "ended_on")),
        sorted(ResidencePermit.objects.filter(victim=victim).values_list("pk", "status", "expires_on")),
        Victim.history.filter(id=victim.pk).count(), AssistanceService.history.count(),
        ReflectionPeriod.history.count(), VictimSupport.history.count(), ResidencePermit.history.count(),
    )


# --- The service ----------------------------------------------------------------------------------

@pytest.mark.parametrize("reasons", ["", "   ", None])
def test_reasons_are_required_and_a_refusal_writes_nothing(world, reasons):
    before = snapshot(world)
    with pytest.raises(ValidationError) as refused:
        decide(world, reasons=reasons, end_protections=[keys(world)["shelter"]])
    assert "reasons" in refused.value.message_dict
    assert "Give the reasons" in refused.value.message_dict["reasons"][0]
    assert snapshot(world) == before


def test_only_the_ticked_protections_end_and_the_others_stay_in_force(world):
    k = keys(world)
    decided_on = TODAY() - DAY
    decision = decide(world, decided_on=decided_on, end_protections=[k["shelter"], k["period"], k["permit"]])
    victim = Victim.objects.get(pk=world.victim.pk)
    assert (victim.status, decision.status, decision.decided_on) == ("not_a_victim", "not_a_victim", decided_on)
    assert decision.criteria == "Interview and documents: regular work, paid, free to leave."
    assert decision.deciding_organisation == "Police" and decision.recorded_by == world.investigator
    assert "Shelter" in decision.protections_ended and "Reflection" in decision.protections_ended
    assert "Medical" not in decision.protections_ended

    shelter, medical = AssistanceService.objects.get(pk=world.shelter.pk), AssistanceService.objects.get(
        pk=world.medical.pk)
    period, permit = ReflectionPeriod.objects.get(pk=world.period.pk), ResidencePermit.objects.get(pk=world.permit.pk)
    assert (shelter.ended_on, medical.ended_on) == (decided_on, None)
    assert (period.ended_on, period.ends_on) == (decided_on, world.period.ends_on)  # granted end kept
    assert not period.is_running()
    assert (permit.status, permit.expires_on) == ("expired", decided_on)
    assert VictimSupport.objects.filter(victim=victim, ended_on__isnull=True).count() == 2
    # Every save names the decision in its history.
    for model, pk in ((AssistanceService, shelter.pk), (ReflectionPeriod, period.pk), (ResidencePermit, permit.pk)):
        latest = model.history.filter(id=pk).latest("history_date")
        assert "not a victim of trafficking" in latest.history_change_reason, model
    assert Victim.history.filter(id=victim.pk).latest("history_date").status == "not_a_victim"
    assert StatusDecision.history.filter(victim_id=victim.pk, status="not_a_victim").count() == 1
    # The period's end deadline has passed with it; the medical service and both supports stay.
    assert Deadline.objects.get(source_key=f"reflection:{period.pk}:end").status == Deadline.Status.MET
    still = {p.key for p in services.protections_in_force(victim)}
    assert still == {k["medical"], k["support"], k["other_support"]}


def test_ending_none_is_allowed(world):
    before = {p.key for p in services.protections_in_force(world.victim)}
    decision = decide(world)
    assert decision.protections_ended == ""
    assert {p.key for p in services.protections_in_force(world.victim)} == before


def test_only_the_supporting_agency_ends_its_own_support(world):
    k = keys(world)
    before = snapshot(world)
    with pytest.raises(ValidationError) as refused:
        decide(world, actor=world.investigator, end_protections=[k["shelter"], k["support"]])
    assert "Only" in str(refused.value.message_dict["end_protections"])
    assert snapshot(world) == before
    # The NGO ends its own support (and its access goes with it), not the other NGO's.
    with pytest.raises(ValidationError):
        decide(world, actor=world.caseworker, end_protections=[k["other_support"]])
    assert snapshot(world) == before
    decide(world, actor=world.caseworker, authority="Safe Harbour", end_protections=[k["support"]])
    support = VictimSupport.objects.get(pk=world.support.pk)
    assert support.ended_on == TODAY()
    assert "not a victim" in VictimSupport.history.filter(id=support.pk).latest("history_date").history_change_reason
    assert not access.can(world.caseworker, "view", Victim.objects.get(pk=world.victim.pk))
    assert VictimSupport.objects.get(pk=world.other_support.pk).ended_on is None


@pytest.mark.parametrize("problem, fields, field", [
    ("unknown protection", {"end_protections": ["service:999999"]}, "end_protections"),
    ("future date", {"decided_on": TODAY() + DAY}, "decided_on"),
    ("no authority", {"authority": " "}, "authority"),
    ("before the service started", {"decided_on": TODAY() - 30 * DAY, "end_protections": ["shelter"]},
     "end_protections"),
])
def test_bad_input_is_refused_with_its_field_and_writes_nothing(world, problem, fields, field):
    if fields.get("end_protections") == ["shelter"]:
        fields["end_protections"] = [keys(world)["shelter"]]
    before = snapshot(world)
    with pytest.raises(ValidationError) as refused:
        decide(world, **fields)
    assert field in refused.value.message_dict, problem
    assert snapshot(world) == before


def test_a_stale_version_is_refused(world):
    before = snapshot(world)
    with pytest.raises(ValidationError, match="changed"):
        decide(world, version=world.victim.version - 1)
    assert snapshot(world) == before
    decide(world, version=world.victim.version)


def test_while_not_a_victim_services_and_reflection_periods_are_refused(world):
    decide(world)
    victim = Victim.objects.get(pk=world.victim.pk)
    count = AssistanceService.objects.count(), ReflectionPeriod.objects.count()
    with pytest.raises(ValidationError, match="not to be a victim of trafficking"):
        services.add_service(victim, kind="legal_aid", provider=world.ngo)
    with pytest.raises(ValidationError, match="not to be a victim of trafficking"):
        services.start_reflection_period(victim, jurisdiction=factories.jurisdiction())
    with pytest.raises(ValidationError, match="already decided"):
        decide(world)
    with pytest.raises(ValidationError, match="not a step"):
        services.set_status(victim, Victim.Status.NOT_A_VICTIM, actor=world.investigator, authority="x",
                            criteria="y")
    assert (AssistanceService.objects.count(), ReflectionPeriod.objects.count()) == count
    assert StatusDecision.objects.filter(victim=victim, status="not_a_victim").count() == 1


@pytest.mark.parametrize("later", [Victim.Status.PRESUMED, Victim.Status.IDENTIFIED])
def test_a_later_decision_moves_the_person_back_up(world, later):
    decide(world, end_protections=[keys(world)["shelter"]])
    victim = Victim.objects.get(pk=world.victim.pk)
    with pytest.raises(ValidationError, match="presumed or identified"):
        services.set_status(victim, Victim.Status.POTENTIAL, actor=world.investigator, authority="x", criteria="y")
    services.set_status(victim, later, actor=world.investigator, authority="Court of appeal",
                        criteria="Appeal upheld: new testimony")
    victim.refresh_from_db()
    assert victim.status == later
    assert list(StatusDecision.objects.filter(victim=victim).values_list("status", flat=True)) == [
        "presumed", "not_a_victim", later]
    # Support opens again; the ladder still only moves up from here.
    assert services.add_service(victim, kind="shelter", provider=world.ngo).ended_on is None
    if later == Victim.Status.IDENTIFIED:
        with pytest.raises(ValidationError, match="only moves up the ladder"):
            services.set_status(victim, Victim.Status.PRESUMED, actor=world.investigator, authority="x",
                                criteria="y")
    # And a new decision "not a victim" can be taken again.
    decide(world)


def test_identification_timings_skip_the_decision(world):
    """Identification is the first presumed or identified decision: "not a victim" is none."""
    first = StatusDecision.objects.get(victim=world.victim, status="presumed").decided_on
    decide(world, decided_on=TODAY() - 2 * DAY)
    services.set_status(world.victim, Victim.Status.IDENTIFIED, actor=world.investigator, authority="Appeal",
                        criteria="New facts", decided_on=TODAY() - DAY)
    services.give_consent(world.victim, actor=world.caseworker, purpose=Consent.Purpose.REFERRAL,
                          agency=world.clinic, informed=True)
    referral = referral_services.send_referral(world.victim, actor=world.caseworker, to_agency=world.clinic,
                                               services=["medical"])
    expected = TODAY() - first
    assert referral_services.timings(Referral.objects.get(pk=referral.pk))["identification_to_referral"] == expected
    annotated = annotate_timings(Referral.objects.filter(pk=referral.pk)).get()
    assert annotated.identification_to_referral_days == expected.days

    # A person decided "not a victim" before any identification has none until a later one.
    other = factories.victim(world.caseworker, supporting_agencies=[world.ngo])
    services.decide_not_a_victim(other, actor=world.investigator, authority="Police", reasons="No indicators")
    decision = services.set_status(other, Victim.Status.PRESUMED, actor=world.investigator, authority="Police",
                                   criteria="New facts")
    identified_on = StatusDecision.objects.filter(
        victim=other, status__in=("presumed", "identified")).order_by("decided_on", "id").first()
    assert identified_on == decision


# --- The page -------------------------------------------------------------------------------------

def html(response):
    return response.content.decode()


def client_for(user):
    return factories.log_in(Client(), user)


def form_data(world, **changes):
    data = {"version": Victim.objects.get(pk=world.victim.pk).version, "authority": "Judicial Police",
            "reasons": "Regular work, paid, free to leave.", "decided_on": "", "deciding_organisation": "",
            "end_protections": [keys(world)["shelter"]]}
    data.update(changes)
    return data


def test_the_form_lists_the_protections_in_force(world):
    page = html(client_for(world.caseworker).get(f"/victims/{world.victim.pk}/not-a-victim/"))
    for label in ("Shelter / safe accommodation by", "Medical care by", "Reflection and recovery period",
                  "Residence permit for victims of trafficking", f"Support by {world.ngo}",
                  f"Support by {world.other_ngo}"):
        assert label in page, label
    k = keys(world)
    def checkbox(key):
        return page.split(f'value="{key}"')[1].split(">")[0]

    # Another agency's support is shown but cannot be ticked; the NGO's own can.
    assert "disabled" in checkbox(k["other_support"])
    assert "disabled" not in checkbox(k["support"]) and "disabled" not in checkbox(k["shelter"])


def test_the_page_asks_for_confirmation_before_recording(world):
    client = client_for(world.investigator)
    url = f"/victims/{world.victim.pk}/not-a-victim/"
    before = snapshot(world)
    first = client.post(url, form_data(world))
    assert first.status_code == 200
    page = html(first)
    assert 'id="confirm-decision"' in page and 'name="confirm"' in page
    ending, staying = page.split('id="ending"')[1].split("</ul>")[0], page.split('id="staying"')[1].split("</ul>")[0]
    assert "Shelter" in ending and "Medical care" in staying and "Shelter" not in staying
    assert snapshot(world) == before  # nothing recorded yet
    # Back to change it: still nothing recorded.
    assert client.post(url, {**form_data(world), "change": "1"}).status_code == 200
    assert snapshot(world) == before
    done = client.post(url, {**form_data(world), "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == f"/victims/{world.victim.pk}/#status"
    assert Victim.objects.get(pk=world.victim.pk).status == "not_a_victim"
    assert AssistanceService.objects.get(pk=world.shelter.pk).ended_on == TODAY()
    assert AssistanceService.objects.get(pk=world.medical.pk).ended_on is None


def test_bad_input_on_the_page_gets_a_message_and_writes_nothing(world):
    client = client_for(world.investigator)
    url = f"/victims/{world.victim.pk}/not-a-victim/"
    before = snapshot(world)
    blank = client.post(url, {**form_data(world, reasons=""), "confirm": "1"})
    assert blank.status_code == 200 and "Give the reasons" in html(blank)
    theirs = client.post(url, {**form_data(world, end_protections=[keys(world)["other_support"]]), "confirm": "1"})
    assert theirs.status_code == 200 and f"Only {world.other_ngo} can end its own support." in html(theirs)
    stale = client.post(url, {**form_data(world, version=1), "confirm": "1"})
    assert stale.status_code == 200 and "changed" in html(stale)
    assert snapshot(world) == before


def test_the_victim_page_shows_the_decision_its_reasons_and_what_is_still_in_force(world):
    client = client_for(world.investigator)
    page = html(client.get(f"/victims/{world.victim.pk}/"))
    assert 'id="protections-in-force"' not in page
    assert f'href="/victims/{world.victim.pk}/not-a-victim/"' in page
    decide(world, end_protections=[keys(world)["shelter"]])
    page = html(client.get(f"/victims/{world.victim.pk}/"))
    assert 'class="status-badge status-not_a_victim">Not a victim of trafficking<' in page
    notice = page.split('id="protections-in-force"')[1].split("</div>")[0]
    assert "Medical care" in notice and "Reflection and recovery period" in notice and "Shelter" not in notice
    row = page.split('class="decision-not-a-victim"')[1].split("</tr>")[0]
    assert "Interview and documents: regular work, paid, free to leave." in row and "Shelter" in row
    assert f'href="/victims/{world.victim.pk}/not-a-victim/"' not in page  # decided already
    assert "Record a later decision" in page
    assert f'href="/victims/{world.victim.pk}/services/add/"' not in page
    status_form = html(client.get(f"/victims/{world.victim.pk}/status/"))
    assert 'value="presumed"' in status_form and 'value="identified"' in status_form
    assert 'value="potential"' not in status_form


def test_no_notice_when_the_decision_ended_everything(world):
    decide(world, actor=world.caseworker, authority="Safe Harbour",
           end_protections=[k for name, k in keys(world).items() if name != "other_support"])
    page = html(client_for(world.other_caseworker).get(f"/victims/{world.victim.pk}/"))
    assert f"Support by {world.other_ngo}" in page.split('id="protections-in-force"')[1].split("</div>")[0]
    services.end_support(VictimSupport.objects.get(pk=world.other_support.pk))
    page = html(client_for(world.investigator).get(f"/victims/{world.victim.pk}/"))
    assert 'id="protections-in-force"' not in page


def test_the_victim_page_runs_the_same_queries_however_much_is_in_force(world, count_queries):
    client = client_for(world.investigator)
    decide(world)
    url = f"/victims/{world.victim.pk}/"
    few, _response = count_queries(client, url)
    for kind in ("legal_aid", "interpretation", "education", "financial"):
        AssistanceService.objects.create(victim=world.victim, kind=kind, provider=world.clinic)
    with count_queries.capture() as many:
        page = html(client.get(url))
    assert "Interpretation" in page.split('id="protections-in-force"')[1].split("</div>")[0]
    assert len(many) == few, [q["sql"] for q in many.captured_queries]


# --- The API --------------------------------------------------------------------------------------

def api_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_the_protections_and_records_the_decision(world):
    client = api_for(world.investigator)
    k = keys(world)
    listed = client.get(f"/api/victims/{world.victim.pk}/protections/")
    assert listed.status_code == 200
    by_key = {p["key"]: p for p in listed.json()}
    assert set(by_key) == set(k.values())
    assert (by_key[k["shelter"]]["kind"], by_key[k["shelter"]]["may_end"]) == ("service", True)
    assert by_key[k["support"]]["may_end"] is False  # the NGO's own to end

    url = f"/api/victims/{world.victim.pk}/not-a-victim/"
    before = snapshot(world)
    for payload, field in (({"authority": "Police"}, "reasons"), ({"authority": "Police", "reasons": " "}, "reasons"),
                           ({"authority": "Police", "reasons": "x", "end_protections": ["service:0"]},
                            "end_protections"),
                           ({"authority": "Police", "reasons": "x", "end_protections": [k["support"]]},
                            "end_protections"),
                           ({"authority": "Police", "reasons": "x", "version": 1}, "version")):
        refused = client.post(url, payload, format="json")
        assert refused.status_code == 400 and field in refused.json(), (payload, refused.json())
    assert "Give the reasons" in str(client.post(url, {"authority": "Police"}, format="json").json()["reasons"])
    assert snapshot(world) == before

    done = client.post(url, {"authority": "Judicial Police", "reasons": "Regular work, free to leave.",
                             "decided_on": str(TODAY() - DAY), "end_protections": [k["shelter"], k["period"]],
                             "version": Victim.objects.get(pk=world.victim.pk).version}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "not_a_victim"
    decisions = client.get(f"/api/status-decisions/?victim={world.victim.pk}").json()["results"]
    [decision] = [d for d in decisions if d["status"] == "not_a_victim"]
    assert decision["criteria"] == "Regular work, free to leave." and "Shelter" in decision["protections_ended"]
    assert {p["key"] for p in client.get(f"/api/victims/{world.victim.pk}/protections/").json()} == {
        k["medical"], k["permit"], k["support"], k["other_support"]}
    assert client.get("/api/victims/?status=not_a_victim").json()["count"] >= 1

    # A later decision through the status endpoint; "not a victim" is not one of its steps.
    status_url = f"/api/victims/{world.victim.pk}/status/"
    again = client.post(status_url, {"status": "not_a_victim", "authority": "x", "criteria": "y"}, format="json")
    assert again.status_code == 400 and "not a step" in str(again.json())
    back = client.post(status_url, {"status": "presumed", "authority": "Court of appeal", "criteria": "New facts"},
                       format="json")
    assert back.status_code == 200 and back.json()["status"] == "presumed"


def test_the_api_answers_no_content_when_the_decision_ended_the_callers_access(world):
    response = api_for(world.caseworker).post(
        f"/api/victims/{world.victim.pk}/not-a-victim/",
        {"authority": "Safe Harbour", "reasons": "Not trafficked", "end_protections": [keys(world)["support"]]},
        format="json")
    assert response.status_code == 204
    assert Victim.objects.get(pk=world.victim.pk).status == "not_a_victim"


# --- Who may decide: who may set the status ---------------------------------------------------------

MATRIX = {  # demo user -> may decide about V2 (case C1, supported by Safe Harbour)
    "investigator": True,  # the case's police
    "prosecutor": True,  # the case's prosecution
    "caseworker": True,  # the supporting NGO
    "caseworker.br": False,  # a caseworker elsewhere
    "clerk": False,
    "judge": False,
    "focalpoint": False,
    "supervisor": False,
    "frontline": False,  # recorded another victim only
    "auditor": False,
}


def demo_payload(victim):
    return {"authority": "Test authority", "reasons": "Test reasons", "version": victim.version}


@pytest.mark.parametrize("username, allowed", MATRIX.items())
def test_who_may_decide_on_the_page(demo, login, username, allowed):
    victim = demo.victim("V2")
    client = login(username)
    url = f"/victims/{victim.pk}/not-a-victim/"
    # The same answer as for moving the status up the ladder.
    assert (client.get(f"/victims/{victim.pk}/status/").status_code == 200) is allowed
    form = client.get(url)
    decisions = StatusDecision.objects.filter(victim=victim).count()
    response = client.post(url, {**demo_payload(victim), "confirm": "1"})
    if allowed:
        assert form.status_code == 200
        assert response.status_code == 302, html(response)
        assert Victim.objects.get(pk=victim.pk).status == "not_a_victim"
    else:
        assert form.status_code in (403, 404) and response.status_code in (403, 404)
        assert (Victim.objects.get(pk=victim.pk).status, StatusDecision.objects.filter(victim=victim).count()) == (
            "presumed", decisions)


@pytest.mark.parametrize("username, allowed", MATRIX.items())
def test_who_may_decide_through_the_api(demo, api_login, username, allowed):
    victim = demo.victim("V2")
    response = api_login(username).post(f"/api/victims/{victim.pk}/not-a-victim/", demo_payload(victim),
                                        format="json")
    if allowed:
        assert response.status_code == 200, response.json()
        assert Victim.objects.get(pk=victim.pk).status == "not_a_victim"
    else:
        assert response.status_code in (403, 404), response.json()
        assert Victim.objects.get(pk=victim.pk).status == "presumed"
        assert not StatusDecision.objects.filter(victim=victim, status="not_a_victim").exists()


def test_the_front_line_recorder_decides_as_they_set_status(demo, login, api_login):
    """The front-line officer who recorded a victim may set its status for a while
    (VICTIM_RECORDER_ACCESS_DAYS), and so may decide "not a victim" as well."""
    victim = demo.victim("V6")
    frontline = demo.user("frontline")
    assert access.can(frontline, "change", victim)
    assert login("frontline").get(f"/victims/{victim.pk}/status/").status_code == 200
    assert login("frontline").get(f"/victims/{victim.pk}/not-a-victim/").status_code == 200
    response = api_login("frontline").post(f"/api/victims/{victim.pk}/not-a-victim/", demo_payload(victim),
                                           format="json")
    assert response.status_code == 200, response.json()
