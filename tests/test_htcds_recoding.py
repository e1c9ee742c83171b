"""The move to HTCDS value names [SPEC 2.2, 2.3]: the data migrations recode every old code of
the demo and of each vocabulary, keep in its history what a record held, and flag, never guess,
a code that stood for more than one HTCDS value. Then a person reviews it, on the page or
through the API, and the flag goes."""

import importlib
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Defendant
from victims.models import StatusDecision, Victim


BEFORE = [("victims", "0007_htcds_vocabularies"), ("cases", "0006_htcds_vocabularies")]
AFTER = None  # every app at its latest migration
REASON = "HTCDS vocabularies: a recoded value to review"

# Every code the vocabularies held before, in the order a record may hold them.
OLD_VICTIM = dict(
    sex="other",
    exploitation_forms=["sexual_exploitation", "forced_labour", "domestic_servitude", "slavery", "forced_marriage",
                        "organ_removal", "forced_begging", "forced_criminality", "child_soldiers", "other"],
    methods_of_control=["physical_abuse", "sexual_abuse", "psychological_abuse", "threats", "threats_to_family",
                        "debt_bondage", "withholding_documents", "withholding_wages", "restricted_movement",
                        "isolation", "substances", "false_promises", "excessive_working_hours", "other"],
    recruitment=["job_offer", "study_offer", "romantic", "family", "abduction", "sold_by_family", "online", "agency",
                 "other"],
)
NEW_VICTIM = dict(
    sex="NonSpecifiedUnknown",
    exploitation_forms=["SexualExploitation", "ForcedLabour", "Servitude", "Slavery", "ForcedMarriage", "OrganRemoval",
                        "ForcedBegging", "ForcedCriminality", "ForcedMilitaryByNonStateActors", "Other"],
    methods_of_control=["PhysicalAbuse", "SexualAbuse", "PsychologicalAbuse", "ThreatensChildrenFamily", "DebtBondage",
                        "WithholdsDocuments", "TakesEarnings", "RestrictedMovement", "Isolation",
                        "PsychoactiveSubstance", "FalsePromises", "ExcessiveWorkingHours", "Other"],
    recruitment=["AtAPlaceOfBusiness", "Other"],
    recruitment_lures=["JobOffer", "StudyOrTravelOffer", "RomanticRelationship", "Abduction", "SoldOrGivenByFamily"],
    values_to_review=[{"field": "sex", "was": "other"}, {"field": "methods_of_control", "was": "threats"},
                      {"field": "recruitment", "was": "online"}, {"field": "recruitment", "was": "family"}],
)
OLD_ROLES = ["recruiter", "transporter", "harbourer", "exploiter", "controller", "financier", "document_provider",
             "facilitator", "beneficiary", "other"]
NEW_ROLES = ["RecruiterOrIntermediary", "Transporter", "Exploiter", "ControlledIndividual", "Financier",
             "DocumentProvider", "Facilitator", "Beneficiary", "Other"]
# The demo as the old seed_demo recorded it, where it differs from a one-to-one recoding.
OLD_DEMO_VICTIMS = {
    "V-DM7K2QXP": dict(sex="male"),
    "V-DM4HN8TB": dict(sex="female", exploitation_forms=["forced_labour"],
                       methods_of_control=["debt_bondage", "withholding_documents"], recruitment=["job_offer"]),
    "V-DM6JXN4C": dict(sex="female", exploitation_forms=["sexual_exploitation"], recruitment=["job_offer", "online"]),
}
NEW_DEMO_VICTIMS = {
    "V-DM7K2QXP": dict(sex="Masculine", values_to_review=[]),
    "V-DM4HN8TB": dict(sex="Feminine", exploitation_forms=["ForcedLabour"],
                       methods_of_control=["DebtBondage", "WithholdsDocuments"], recruitment=[],
                       recruitment_lures=["JobOffer"], values_to_review=[]),
    "V-DM6JXN4C": dict(sex="Feminine", exploitation_forms=["SexualExploitation"], recruitment=[],
                       recruitment_lures=["JobOffer"], values_to_review=[{"field": "recruitment", "was": "online"}]),
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def fields_of(row, names):
    return {name: getattr(row, name) for name in names}


@pytest.mark.django_db(transaction=True)
def test_the_migration_recodes_every_old_code_and_flags_what_it_cannot_map():
    call_command("seed_demo", stdout=io.StringIO())
    apps = migrate(BEFORE)
    OldVictim, OldHistory = apps.get_model("victims", "Victim"), apps.get_model("victims", "HistoricalVictim")
    OldDefendant, OldCase = apps.get_model("cases", "Defendant"), apps.get_model("cases", "Case")
    # Reversing the migration put the demo back in the old codes (a flagged value back in place).
    assert OldVictim.objects.get(code="V-DM4HN8TB").recruitment == ["job_offer", "family"]
    assert OldVictim.objects.get(code="V-DM6JXN4C").recruitment == ["other", "job_offer"]  # "other": a new channel
    assert OldDefendant.objects.get(name="António Ramos").roles == ["recruiter", "harbourer"]
    assert {"forced_labour", "sexual_exploitation", "forced_begging"} <= {
        form for forms in OldCase.objects.values_list("exploitation_forms", flat=True) for form in forms}
    for code, old in OLD_DEMO_VICTIMS.items():
        OldVictim.objects.filter(code=code).update(recruitment_lures=[], values_to_review=[], **old)
    every = OldVictim.objects.get(code="V-DM3TQF7C")
    OldVictim.objects.filter(pk=every.pk).update(**OLD_VICTIM)
    earlier = OldHistory.objects.filter(id=every.pk).order_by("history_id").first()
    OldHistory.objects.filter(history_id=earlier.history_id).update(**OLD_VICTIM)
    OldDefendant.objects.filter(name="Sérgio Matias").update(roles=OLD_ROLES, values_to_review=[])
    history_before = OldHistory.objects.filter(id=every.pk).count()

    migrate(AFTER)

    every = Victim.objects.get(pk=every.pk)
    assert fields_of(every, NEW_VICTIM) == NEW_VICTIM
    # Its history: the same spelling change, and what was recorded kept where nothing maps it.
    recoded = every.history.get(history_id=earlier.history_id)
    assert recoded.exploitation_forms == NEW_VICTIM["exploitation_forms"]
    assert recoded.methods_of_control[3] == "threats" and "online" in recoded.recruitment
    assert recoded.recruitment_lures == NEW_VICTIM["recruitment_lures"] and recoded.sex == "other"
    # One history row says why the record changed; a record with nothing to review has none.
    assert every.history.count() == history_before + 1
    latest = every.history.first()
    assert latest.history_change_reason == REASON and latest.values_to_review == NEW_VICTIM["values_to_review"]
    for code, new in NEW_DEMO_VICTIMS.items():
        assert fields_of(Victim.objects.get(code=code), new) == new, code
    assert not Victim.objects.get(code="V-DM4HN8TB").history.filter(history_change_reason=REASON).exists()
    # Status decisions recorded before the kind of deciding organisation take their recorder's.
    decisions = StatusDecision.objects.filter(victim__code="V-DM4HN8TB").order_by("id")
    assert [(d.recorded_by.agency.kind, d.deciding_organisation) for d in decisions] == [("police", "Police")]
    assert set(StatusDecision.objects.filter(recorded_by__username="prosecutor").values_list(
        "deciding_organisation", flat=True)) == {"CourtOrProsecution"}
    assert not StatusDecision.objects.filter(deciding_organisation="Other").exists()
    sergio = Defendant.objects.get(name="Sérgio Matias")
    assert sergio.roles == NEW_ROLES and sergio.values_to_review == [{"field": "roles", "was": "harbourer"}]
    notes = sergio.review_notes()
    assert [(n.field_label, n.was, n.choose_from) for n in notes] == [
        ("role in the scheme", "Harbourer / receiver", ("Harboured the person", "Received the person"))]
    # No old code is left in any table the vocabularies reach.
    old_codes = {*OLD_VICTIM["exploitation_forms"], *OLD_VICTIM["methods_of_control"], *OLD_VICTIM["recruitment"],
                 *OLD_ROLES} - {"threats", "online", "family", "harbourer"}
    for table, column in [("victims_victim", "exploitation_forms"), ("victims_victim", "methods_of_control"),
                          ("victims_victim", "recruitment"), ("cases_case", "exploitation_forms"),
                          ("cases_charge", "exploitation_forms"), ("cases_defendant", "roles"),
                          ("victims_historicalvictim", "exploitation_forms")]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {column}::text[] && %s::text[]", [list(old_codes)])
            assert cursor.fetchone()[0] == 0, (table, column)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM victims_victim WHERE sex NOT IN %s",
                       [("Feminine", "Masculine", "NonSpecifiedUnknown")])
        assert cursor.fetchone()[0] == 0

    # Reversed again: what a person chose since stays, a lure with no old code goes back as
    # recruitment "other", order and history are as before.
    Victim.objects.filter(pk=every.pk).update(sex="Feminine", recruitment_lures=["Other", "JobOffer"])
    apps = migrate(BEFORE)
    back = apps.get_model("victims", "Victim").objects.get(pk=every.pk)
    assert back.sex == "female" and back.values_to_review == []
    assert back.recruitment[:3] == ["agency", "other", "job_offer"] and set(back.recruitment[3:]) == {"online", "family"}
    assert back.exploitation_forms == OLD_VICTIM["exploitation_forms"]
    assert back.methods_of_control[:-1] == [c for c in OLD_VICTIM["methods_of_control"] if c != "threats"]
    assert not apps.get_model("victims", "HistoricalVictim").objects.filter(history_change_reason=REASON).exists()
    migrate(AFTER)


def test_the_frozen_maps_reach_only_todays_codes():
    """A typo in a migration's map would write a code no vocabulary knows."""
    from cases.models.vocabularies import ExploitationForm, PerpetratorRole
    from victims.models.vocabularies import Gender, MethodOfControl, Recruitment, RecruitmentLure

    victims = importlib.import_module("victims.migrations.0008_recode_htcds_values").VICTIM
    cases = importlib.import_module("cases.migrations.0007_recode_htcds_values").RECODINGS
    known = {"sex": Gender.values, "exploitation_forms": ExploitationForm.values,
             "methods_of_control": MethodOfControl.values, "recruitment": Recruitment.values,
             "recruitment_lures": RecruitmentLure.values, "roles": PerpetratorRole.values}
    for recoding in [victims, *cases]:
        for field, codes in recoding.codes.items():
            assert set(codes.values()) <= set(known[field]), field
        for (_field, _old), (other, new) in recoding.moves.items():
            assert new in known[other]
        for field, retired in recoding.retired.items():
            assert {left for left in retired.values() if left} <= set(known[field])
            model = Victim if recoding.model == "victims.Victim" else Defendant
            assert set(retired) == set(model.RETIRED[field]), field


def test_the_victim_page_shows_what_to_review_and_the_editor_lets_it_go(demo, login):
    v2 = demo.victim("V2")
    client = login("investigator")
    page = client.get(f"/victims/{v2.pk}/").content.decode()
    assert "Recoded values to review" in page
    assert "Method of recruitment: was “Through family or friends”" in page
    assert "Through family or family events; Through friends or social events" in page
    form = client.get(f"/victims/{v2.pk}/edit/").content.decode()
    assert 'name="values_reviewed"' in form and "Recoded values to review" in form

    data = {"sex": v2.sex, "age_group": v2.age_group, "nationality": "BR", "languages": v2.languages,
            "exploitation_forms": v2.exploitation_forms, "forced_labour_industries": v2.forced_labour_industries,
            "recruitment": ["ThroughFriendsOrSocialEvents"], "recruitment_lures": ["JobOffer"], "version": v2.version}
    kept = client.post(f"/victims/{v2.pk}/edit/", data)
    assert kept.status_code == 302
    v2.refresh_from_db()
    assert v2.recruitment == ["ThroughFriendsOrSocialEvents"] and v2.values_to_review  # not ticked: still flagged

    reviewed = client.post(f"/victims/{v2.pk}/edit/", {**data, "version": v2.version, "values_reviewed": "on"})
    assert reviewed.status_code == 302
    v2.refresh_from_db()
    assert v2.values_to_review == [] and v2.history.first().values_to_review == []
    assert "Recoded values to review" not in client.get(f"/victims/{v2.pk}/").content.decode()
    assert 'name="values_reviewed"' not in client.get(f"/victims/{v2.pk}/edit/").content.decode()


def test_the_api_lists_the_codes_to_choose_from_and_takes_the_review(demo, api_login):
    v2 = demo.victim("V2")
    client = api_login("caseworker")
    body = client.get(f"/api/victims/{v2.pk}/").json()
    assert body["values_to_review"] == [{"field": "recruitment", "retired_code": "family",
                                         "was": "Through family or friends",
                                         "choose_from": ["ThroughFamilyOrFamilyEvents", "ThroughFriendsOrSocialEvents"]}]
    chosen = client.patch(f"/api/victims/{v2.pk}/", {"version": body["version"],
                                                    "recruitment": ["ThroughFamilyOrFamilyEvents"]}, format="json")
    assert chosen.status_code == 200 and chosen.json()["values_to_review"]  # not yet said to be reviewed
    done = client.patch(f"/api/victims/{v2.pk}/", {"version": chosen.json()["version"], "values_reviewed": True},
                        format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["values_to_review"] == [] and "values_reviewed" not in done.json()
    assert Victim.objects.get(pk=v2.pk).values_to_review == []
    assert Victim.objects.get(pk=v2.pk).recruitment == ["ThroughFamilyOrFamilyEvents"]


def test_a_defendant_recorded_in_the_old_roles_is_reviewed_on_the_case_file(demo, login, api_login):
    ramos = Defendant.objects.get(name="António Ramos")
    client = login("prosecutor")
    case_page = client.get(ramos.case.get_absolute_url()).content.decode()
    assert "Role in the scheme: was “Harbourer / receiver”" in case_page
    assert api_login("prosecutor").get(f"/api/defendants/{ramos.pk}/").json()["values_to_review"] == [
        {"field": "roles", "retired_code": "harbourer", "was": "Harbourer / receiver",
         "choose_from": ["HarbouredIndividual", "ReceivedIndividual"]}]
    url = f"/cases/{ramos.case_id}/defendants/{ramos.pk}/edit/"
    assert 'name="values_reviewed"' in client.get(url).content.decode()
    saved = client.post(url, {"kind": "natural", "name": ramos.name, "nationality": "PT", "custody": ramos.custody,
                              "roles": ["RecruiterOrIntermediary", "HarbouredIndividual"], "values_reviewed": "on"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    ramos.refresh_from_db()
    assert ramos.roles == ["RecruiterOrIntermediary", "HarbouredIndividual"] and ramos.values_to_review == []
    assert "Recoded values to review" not in client.get(ramos.case.get_absolute_url()).content.decode()
