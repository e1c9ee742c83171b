"""The hearing pages: setting a hearing through the confirm-the-warnings flow, changing it
(stale versions refused), adjourning and closing it, witnesses and special measures, who may
do what, what an NGO sees, and a constant number of queries on the hearing's page."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from hearings import services
from hearings.models import Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure
from victims import services as victim_services
from victims.models import VictimCaseLink

from . import factories
from .conftest import DEMO_USERS
from .test_scheduling import W, World, at

C1_READERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker", "focalpoint"}
SCHEDULERS = {"prosecutor", "supervisor", "clerk", "judge"}
STALE = "Someone else changed this record while you were editing it."


@pytest.fixture
def world(demo):
    return World(demo)


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def text(response):
    return response.content.decode()


def confirmed_keys(response):
    return re.findall(r'name="confirmed" value="([^"]+)"', text(response))


def hearing_post(world, **overrides):
    data = {
        "case": world.c1.pk, "kind": "preliminary", "court": world.court.pk, "courtroom": world.room2.pk,
        "starts_at": local(at(12, 10)), "duration_minutes": 60, "judge": "", "prosecutor": "",
        "video_link": "", "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Setting a hearing -------------------------------------------------------------------------------

def test_create_page_preselects_the_case_and_offers_only_schedulable_cases(world, login, demo):
    response = login("prosecutor").get(reverse("hearing-create") + f"?case={world.c1.pk}")
    assert response.status_code == 200
    page = text(response)
    assert re.search(rf'<option value="{world.c1.pk}" selected>PT-LIS-2026-0001', page)
    assert "BR-SP-2026-0001" not in page  # another country's case
    assert f'<option value="{world.court.pk}" selected>' in page  # the case's court
    assert '<optgroup label="Lisbon Criminal Court">' in page and "Room 1 · safe waiting room · video link" in page


def test_create_with_a_double_booking_asks_to_confirm_then_saves(world, login):
    client = login("prosecutor")
    url = reverse("hearing-create")
    before = Hearing.objects.count()
    data = hearing_post(world, starts_at=local(at(7, 10)), prosecutor=world.prosecutor.pk,
                        video_link="https://video.example.pt/room-2")
    response = client.post(url, data)
    assert response.status_code == 200
    page = text(response)
    assert "The prosecutor is already in court then: PT-LIS-2026-0001, Trial day at Lisbon Criminal Court" in page
    assert "I have seen these warnings and want to save anyway" in page
    assert confirmed_keys(response) == [f"prosecutor_double_booked:{world.trial.pk}"]
    assert Hearing.objects.count() == before

    # Saving again without ticking the box asks again.
    response = client.post(url, {**data, "confirmed": confirmed_keys(response)})
    assert response.status_code == 200 and "I have seen these warnings" in text(response)
    assert Hearing.objects.count() == before

    response = client.post(url, {**data, "confirmed": confirmed_keys(response), "confirm_warnings": "1"})
    assert response.status_code == 302
    hearing = Hearing.objects.get(prosecutor=world.prosecutor, starts_at=at(7, 10))
    assert response.url == reverse("hearing-detail", args=[hearing.pk])
    assert (hearing.video_link, hearing.courtroom, hearing.created_by) == (
        "https://video.example.pt/room-2", world.room2, world.prosecutor)
    page = text(client.get(response.url))
    assert "https://video.example.pt/room-2" in page
    assert "The prosecutor is already in court then" in page  # the live list of problems


def test_a_warning_appearing_between_the_two_posts_is_asked_again(world, login):
    client = login("prosecutor")
    url = reverse("hearing-create")
    data = hearing_post(world, starts_at=local(at(7, 10)), prosecutor=world.prosecutor.pk)
    first = confirmed_keys(client.post(url, data))
    # Meanwhile the clerk lists another hearing for the prosecutor at that time.
    other = services.schedule(world.hearing(starts_at=at(7, 10, 30), courtroom=None, prosecutor=world.prosecutor),
                              actor=world.clerk, confirmed=[f"prosecutor_double_booked:{world.trial.pk}"])
    before = Hearing.objects.count()
    response = client.post(url, {**data, "confirmed": first, "confirm_warnings": "1"})
    assert response.status_code == 200
    assert confirmed_keys(response) == [f"prosecutor_double_booked:{other.pk}"]
    assert 'name="confirm_warnings" value="1" checked' not in text(response)
    assert Hearing.objects.count() == before


def test_an_absolute_problem_is_an_error_and_nothing_is_written(world, login):
    before = Hearing.objects.count()
    response = login("clerk").post(reverse("hearing-create"), hearing_post(
        world, starts_at=local(at(31, 10)), judge=world.judge.pk))
    assert response.status_code == 200
    page = text(response)
    assert "The judge is not available from" in page and "Annual leave" in page
    assert "I have seen these warnings" not in page
    assert Hearing.objects.count() == before


def test_bad_input_is_refused_with_a_message(world, login):
    client = login("prosecutor")
    response = client.post(reverse("hearing-create"), hearing_post(world, starts_at="", duration_minutes=0))
    assert response.status_code == 200
    assert "This field is required." in text(response)
    # A room of another court.
    other_court = factories.agency("court")
    response = client.post(reverse("hearing-create"), hearing_post(world, court=other_court.pk))
    assert "This courtroom is not in the chosen court." in text(response)
    # A case she may not set hearings in (another country's) is not a choice.
    response = client.post(reverse("hearing-create"), hearing_post(world, case=world.demo.case("C4").pk))
    assert "Select a valid choice." in text(response)
    assert not Hearing.objects.filter(starts_at=at(12, 10)).exists()


# --- Changing, adjourning, closing -----------------------------------------------------------------

def test_edit_with_a_stale_version_is_refused(world, login):
    client = login("prosecutor")
    url = reverse("hearing-edit", args=[world.trial.pk])
    page = text(client.get(url))
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    assert version == world.trial.version
    # The clerk moves the hearing meanwhile.
    trial = Hearing.objects.get(pk=world.trial.pk)
    trial.duration_minutes = 180
    services.update(trial, actor=world.clerk, version=trial.version)
    data = hearing_post(world, case=None, kind="trial_day", courtroom=world.room1.pk,
                        starts_at=local(world.trial.starts_at), duration_minutes=300, judge=world.judge.pk,
                        prosecutor=world.prosecutor.pk, video_link=world.trial.video_link, version=version)
    response = client.post(url, data)
    assert response.status_code == 200 and STALE in text(response)
    assert Hearing.objects.get(pk=world.trial.pk).duration_minutes == 180
    # With the current version it saves.
    response = client.post(url, {**data, "version": version + 1})
    assert response.status_code == 302
    assert Hearing.objects.get(pk=world.trial.pk).duration_minutes == 300


def test_adjourn_page_records_why_and_who_and_continues_on_the_new_date(world, login):
    client = login("judge")
    url = reverse("hearing-adjourn", args=[world.trial.pk])
    response = client.post(url, {"reason": "", "requested_by": "defence", "version": world.trial.version})
    assert response.status_code == 200 and "This field is required." in text(response)
    response = client.post(url, {"reason": "Defence witness abroad", "requested_by": "defence",
                                 "new_starts_at": local(at(21, 9, 30)), "version": world.trial.version})
    assert response.status_code == 302
    follow_up = Hearing.objects.get(case=world.c1, status="scheduled")
    assert response.url == reverse("hearing-detail", args=[follow_up.pk])
    old = Hearing.objects.get(pk=world.trial.pk)
    assert (old.status, old.adjournment_reason, old.adjournment_requested_by, old.adjourned_to) == (
        "adjourned", "Defence witness abroad", "defence", follow_up)
    page = text(client.get(response.url))
    assert "The hearing is adjourned. It continues on" in page
    assert re.search(r'id="adjournment-count">2<', page)
    assert "Adjourned from" in page and "asked by: Defence" in page
    page = text(client.get(reverse("hearing-detail", args=[old.pk])))
    assert "Defence witness abroad" in page and "Continues on" in page


def test_close_page(world, login):
    client = login("clerk")
    url = reverse("hearing-close", args=[world.trial.pk])
    assert 'type="radio" name="status" value="held"' in text(client.get(url))
    response = client.post(url, {"status": "vacated", "reason": "", "version": world.trial.version})
    assert "Cancelling or vacating a hearing needs a reason." in text(response)
    assert Hearing.objects.get(pk=world.trial.pk).status == "scheduled"
    response = client.post(url, {"status": "vacated", "reason": "Trial date taken by custody case",
                                 "version": world.trial.version})
    assert response.status_code == 302
    assert Hearing.objects.get(pk=world.trial.pk).status == "vacated"
    page = text(client.get(response.url))
    assert "The hearing is recorded as vacated." in page and "Trial date taken by custody case" in page
    assert reverse("hearing-edit", args=[world.trial.pk]) not in page  # no more actions


# --- Witnesses and special measures --------------------------------------------------------------------

def test_witness_form_offers_the_cases_victims_by_code_and_applies_the_rules(world, login, demo):
    hearing = services.schedule(world.hearing(starts_at=at(12, 10)), actor=world.prosecutor)  # Room 2
    client = login("prosecutor")
    url = reverse("hearing-witness-add", args=[hearing.pk])
    page = text(client.get(url))
    assert world.v1.code in page and world.v2.code in page
    assert demo.victim("V3").code not in page  # not a victim of this case
    # Codes, never names (as words: the list of countries holds the Northern Mariana Islands).
    assert not re.search(r"\b(João|Maria)\b", page)

    data = {"victim": world.v1.pk, "role": "", "appearance": "in_person", "interpreter_language": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"Victim-witness {world.v1.code} would be at court with a defendant" in text(response)
    assert not HearingWitness.objects.filter(hearing=hearing).exists()

    response = client.post(url, {**data, "appearance": "video_link", "interpreter_language": "Portuguese"})
    assert "needs an interpreter for Portuguese, not yet booked" in text(response)
    keys = confirmed_keys(response)
    response = client.post(url, {**data, "appearance": "video_link", "interpreter_language": "Portuguese",
                                 "confirmed": keys, "confirm_warnings": "1"})
    assert response.status_code == 302 and response.url.endswith("#witnesses")
    witness = HearingWitness.objects.get(hearing=hearing)
    assert (witness.victim, witness.appearance, witness.interpreter_booked) == (world.v1, "video_link", False)

    # Editing: booked now; in person is still refused in Room 2.
    edit = reverse("hearing-witness-edit", args=[witness.pk])
    response = client.post(edit, {**data, "appearance": "in_person", "interpreter_language": "Portuguese",
                                  "interpreter_booked": "on"})
    assert "no safe waiting room" in text(response)
    response = client.post(edit, {**data, "appearance": "video_link", "interpreter_language": "Portuguese",
                                  "interpreter_booked": "on"})
    assert response.status_code == 302
    assert HearingWitness.objects.get(pk=witness.pk).interpreter_booked is True


def test_special_measure_forms_record_the_court_record(world, login):
    witness = HearingWitness.objects.get(hearing=world.trial, victim=world.v1)
    client = login("judge")
    url = reverse("special-measure-add", args=[witness.pk])
    page = text(client.get(url))
    for name in ("measure", "requested_by", "requested_on", "defence_heard", "decision", "decided_on",
                 "decision_notes", "appeal", "appeal_notes"):
        assert f'name="{name}"' in page, name
    data = {"measure": "screen", "requested_by": "victim", "requested_on": "2026-05-02", "decision": "granted",
            "decided_on": "", "decision_notes": "", "appeal": "", "appeal_notes": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "A decision needs the date it was made." in text(response)
    assert not SpecialMeasure.objects.filter(witness=witness).exists()
    response = client.post(url, {**data, "decided_on": "2026-05-09", "defence_heard": "on",
                                 "decision_notes": "Fear of the recruiter."})
    assert response.status_code == 302
    measure = SpecialMeasure.objects.get(witness=witness)
    assert (measure.measure, measure.requested_by, measure.defence_heard, measure.decision, str(measure.decided_on)) == (
        "screen", "victim", True, "granted", "2026-05-09")
    # The defence appeals; the appeal court overturns the decision.
    response = client.post(reverse("special-measure-edit", args=[measure.pk]), {
        **data, "decided_on": "2026-05-09", "defence_heard": "on", "appeal": "overturned",
        "appeal_notes": "Court of Appeal, 2026-06-01"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.appeal, measure.appeal_notes, measure.is_in_force) == (
        "overturned", "Court of Appeal, 2026-06-01", False)
    page = text(client.get(reverse("hearing-detail", args=[world.trial.pk])))
    assert "Decision overturned on appeal" in page and "Court of Appeal, 2026-06-01" in page
    # The same measure twice for one witness is refused.
    response = client.post(url, {**data, "decided_on": "2026-05-09"})
    assert response.status_code == 200 and SpecialMeasure.objects.filter(witness=witness).count() == 1


# --- Who may do what --------------------------------------------------------------------------------

def expected(allowed, username, visible=C1_READERS):
    if username in allowed:
        return 200
    return 403 if username in visible else 404


@pytest.mark.parametrize("username", DEMO_USERS)
def test_permission_matrix_for_the_trial_day(world, login, username):
    client = login(username)
    trial = world.trial
    witness = HearingWitness.objects.get(hearing=trial, victim=world.v1)
    measure = SpecialMeasure.objects.filter(witness__hearing=trial).first()
    assert client.get(reverse("hearing-detail", args=[trial.pk])).status_code == expected(C1_READERS, username)
    for name in ("hearing-edit", "hearing-adjourn", "hearing-close", "hearing-witness-add"):
        assert client.get(reverse(name, args=[trial.pk])).status_code == expected(SCHEDULERS, username), name
    witness_readers = SCHEDULERS | {"investigator", "caseworker"}
    assert client.get(reverse("hearing-witness-edit", args=[witness.pk])).status_code == expected(
        SCHEDULERS, username, witness_readers)
    assert client.get(reverse("special-measure-add", args=[witness.pk])).status_code == expected(
        SCHEDULERS, username, witness_readers)
    assert client.get(reverse("special-measure-edit", args=[measure.pk])).status_code == expected(
        SCHEDULERS, username, witness_readers)
    assert client.get(reverse("hearing-create")).status_code == (200 if username in SCHEDULERS else 403)
    assert client.get(reverse("judge-unavailability")).status_code == (200 if username in {"clerk", "judge"}
                                                                     else 403)
    # A refused write changes nothing.
    before = Hearing.objects.get(pk=trial.pk)
    response = client.post(reverse("hearing-close", args=[trial.pk]), {
        "status": "cancelled", "reason": "test", "version": trial.version})
    after = Hearing.objects.get(pk=trial.pk)
    if username in SCHEDULERS:
        assert response.status_code == 302 and after.status == "cancelled"
    else:
        assert response.status_code == expected(set(), username) and after.status == before.status == "scheduled"


def test_an_anonymous_visitor_is_sent_to_log_in(world, client):
    for url in (reverse("hearing-detail", args=[world.trial.pk]), reverse("hearing-create"),
                reverse("judge-unavailability")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_detail_page_shows_the_hearing_to_all_who_see_it_and_the_video_link_to_its_participants(world, login):
    for username in sorted(C1_READERS):
        page = text(login(username).get(reverse("hearing-detail", args=[world.trial.pk])))
        # The link opens the hearing: the focal point, who coordinates, does not get it.
        assert ("https://video.justice.example.pt/lisbon-room-1" in page) is (username != "focalpoint"), username
        assert "Helena Costa" in page and "Paulo Lima" in page and "Room 1" in page
        assert "João" not in page and "Maria" not in page and "Silva" not in page  # never identity
    page = text(login("prosecutor").get(reverse("hearing-detail", args=[world.trial.pk])))
    assert world.v1.code in page and world.v2.code in page
    assert "Video link / CCTV" in page and "Service provider present at the victim&#x27;s wish" in page
    assert "Spanish · booked" in page
    assert "Defence counsel newly appointed" not in page  # that is on the adjourned hearing
    assert 'id="adjournment-count">1<' in page


def test_witnesses_an_ngo_sees_only_the_rows_of_the_victims_it_supports(world, login, demo):
    services.save_witness(HearingWitness(hearing=world.trial, role="Labour inspector", appearance="in_person"),
                          actor=world.prosecutor)
    url = reverse("hearing-detail", args=[world.trial.pk])
    page = text(login("prosecutor").get(url))
    assert world.v1.code in page and world.v2.code in page and "Labour inspector" in page
    page = text(login("caseworker").get(url))  # Safe Harbour supports V1 and V2
    assert world.v1.code in page and world.v2.code in page and "Labour inspector" not in page
    assert reverse("hearing-witness-edit", args=[HearingWitness.objects.get(hearing=world.trial,
                                                                            victim=world.v1).pk]) not in page
    # Casa Acolhida, once supporting V1, sees V1's row and not V2's.
    victim_services.add_supporting_agency(world.v1, demo.user("caseworker.br").agency)
    page = text(login("caseworker.br").get(url))
    assert world.v1.code in page and world.v2.code not in page and "Labour inspector" not in page
    # The focal point sees the hearing, not its witnesses.
    page = text(login("focalpoint").get(url))
    assert "Witnesses and special measures" not in page and world.v1.code not in page


def test_the_hearing_page_runs_the_same_number_of_queries_for_one_witness_or_many(world, login, demo, count_queries):
    hearing = services.schedule(world.hearing(starts_at=at(12, 10), judge=world.judge, prosecutor=world.prosecutor),
                                actor=world.prosecutor)
    client = login("prosecutor")
    url = reverse("hearing-detail", args=[hearing.pk])

    def add_witnesses(count):
        for _ in range(count):
            # Written directly: this test is about the page, and these rows break the rules on purpose.
            victim = factories.victim(world.prosecutor)
            victim_services.link_to_case(victim, world.c1, VictimCaseLink.Role.VICTIM_WITNESS)
            witness = HearingWitness.objects.create(hearing=hearing, victim=victim, appearance=W.IN_PERSON,
                                                    interpreter_language="Romanian")
            SpecialMeasure.objects.create(witness=witness, measure="screen", requested_by="victim",
                                          requested_on=timezone.localdate())

    def measure():
        count, response = count_queries(client, url)
        return count, text(response)

    add_witnesses(1)
    small, page = measure()
    assert page.count("Not allowed:") == 1 and page.count("not yet booked") >= 1
    add_witnesses(5)
    large, page = measure()
    assert page.count("Not allowed:") == 6 and page.count('class="witness"') == 6
    assert large == small, (small, large)
    assert small <= 20


# --- Judges' non-availability --------------------------------------------------------------------------

def test_court_staff_list_and_add_their_judges_non_availability(world, login):
    client = login("clerk")
    url = reverse("judge-unavailability")
    page = text(client.get(url))
    assert "Annual leave" in page and "Paulo Lima" in page
    hearing = services.schedule(world.hearing(starts_at=at(50, 10), judge=world.judge), actor=world.clerk)
    start = timezone.localdate() + datetime.timedelta(days=49)
    response = client.post(url, {"judge": world.judge.pk, "starts_on": start + datetime.timedelta(days=3),
                                 "ends_on": start, "reason": "Training"})
    assert response.status_code == 200 and "The non-availability cannot end before it starts." in text(response)
    response = client.post(url, {"judge": world.judge.pk, "starts_on": start,
                                 "ends_on": start + datetime.timedelta(days=3), "reason": "Training"}, follow=True)
    page = text(response)
    assert "The non-availability of Paulo Lima is recorded." in page
    assert "1 scheduled hearing is set before this judge in that period: move it." in page
    assert JudgeUnavailability.objects.filter(judge=world.judge, reason="Training").count() == 1
    # And the hearing can no longer stay there: moving anything onto it is refused.
    hearing.duration_minutes = 30
    with pytest.raises(ValidationError) as refused:
        services.update(hearing, actor=world.clerk, version=hearing.version)
    assert "The judge is not available from" in str(refused.value) and "(Training)" in str(refused.value)


def test_only_the_judges_of_the_own_court_are_offered_and_accepted(world, login):
    other_court = factories.agency("court")
    stranger = factories.user(other_court, "judge")
    client = login("clerk")
    assert str(stranger) not in text(client.get(reverse("judge-unavailability")))
    response = client.post(reverse("judge-unavailability"), {
        "judge": stranger.pk, "starts_on": "2027-01-04", "ends_on": "2027-01-08", "reason": "x"})
    assert response.status_code == 200 and "Select a valid choice." in text(response)
    assert not JudgeUnavailability.objects.filter(judge=stranger).exists()
    # Through the service, too: the policy decides on the saved row, and nothing stays.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_unavailability(JudgeUnavailability(judge=stranger, starts_on=datetime.date(2027, 1, 4),
                                                        ends_on=datetime.date(2027, 1, 8)), actor=world.clerk)
    assert not JudgeUnavailability.objects.filter(judge=stranger).exists()


def test_administrators_keep_courtrooms_in_the_admin(world, client):
    admin = User.objects.create_superuser("root-test", "root@example.org", "x-Very-long-pass-2026")
    factories.log_in(client, admin)
    response = client.get("/admin/hearings/courtroom/")
    assert response.status_code == 200
    page = text(response)
    assert "Room 1" in page and "Room 2" in page
    response = client.post("/admin/hearings/courtroom/add/", {
        "court": world.court.pk, "name": "Room 3", "has_safe_waiting_room": "on", "is_active": "on"})
    assert response.status_code == 302
    assert world.court.courtrooms.get(name="Room 3").has_safe_waiting_room is True
    # Hearings are not in the admin: they concern cases.
    assert client.get("/admin/hearings/hearing/").status_code == 404
