"""National statistics [SPEC 2.8]: the aggregate right in the access policy, and every
indicator on a hand-built world with its answers worked out by hand, in total, by each
dimension and cross-tabulated."""

import datetime
import decimal
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils import timezone

import access
from accounts.models import Agency, Jurisdiction
from cases import lifecycle, services as case_services
from cases.models import Asset, Case, CaseAgency, Charge, CompensationClaim, Defendant, Verdict
from cases.models.vocabularies import ExploitationForm as Form
from referrals import services as referral_services
from reports.statistics import indicators
from reports.statistics.indicators import Period, Tally
from victims import services as victim_services
from victims.models import Consent, CooperationWithAuthorities, Detention, Gender, NonPunishmentDecision, Victim

from . import factories
from .conftest import DEMO_USERS

S = Case.Stage
D = datetime.date.fromisoformat
F, M = Gender.FEMALE, Gender.MALE
ADULT, CHILD, IN_DOUBT = Victim.AgeGroup.ADULT, Victim.AgeGroup.CHILD, Victim.AgeGroup.IN_DOUBT
SEX, FL, BEG = Form.SEXUAL, Form.FORCED_LABOUR, Form.FORCED_BEGGING
PERIOD = Period(D("2026-01-01"), D("2026-06-30"))
EUR = decimal.Decimal


# --- The aggregate right -------------------------------------------------------------------

# Which jurisdictions each demo user may count: the demo's two, and a fresh one of each country.
AGGREGATES = {
    "investigator": set(), "frontline": set(), "prosecutor": set(), "clerk": set(), "judge": set(),
    "caseworker": set(), "auditor": set(), "admin": set(), "investigator.br": set(), "caseworker.br": set(),
    # The prosecution office's supervisor: their own office's jurisdiction only.
    "supervisor": {"Lisbon judicial district"},
    # The national coordination office: every jurisdiction of its country.
    "focalpoint": {"Lisbon judicial district", "Fresh PT district"},
}


@pytest.mark.parametrize("username", DEMO_USERS)
def test_who_may_aggregate_which_jurisdictions(demo, username):
    Jurisdiction.objects.create(country="PT", name="Fresh PT district")
    Jurisdiction.objects.create(country="BR", name="Fresh BR state")
    named = set(AGGREGATES[username])
    candidates = Jurisdiction.objects.filter(
        name__in=["Lisbon judicial district", "São Paulo state", "Fresh PT district", "Fresh BR state"])
    user = demo.user(username)
    assert set(access.aggregated_jurisdictions(user).filter(pk__in=candidates).values_list("name", flat=True)) == named
    for jurisdiction in candidates:
        allowed = jurisdiction.name in named
        assert access.may_aggregate(user, jurisdiction) is allowed, jurisdiction.name
        if allowed:
            access.aggregate_scope(user, jurisdiction=jurisdiction)
        else:
            with pytest.raises(PermissionDenied):
                access.aggregate_scope(user, jurisdiction=jurisdiction)


def test_the_focal_points_right_needs_a_coordination_office_and_an_active_account(demo):
    lisbon = Jurisdiction.objects.get(name="Lisbon judicial district")
    stray = factories.user(factories.agency("police"), "focal_point")  # a focal point outside the office
    assert not access.aggregated_jurisdictions(stray).exists()
    focal = demo.user("focalpoint")
    focal.is_active = False
    assert not access.may_aggregate(focal, lisbon)
    focal = demo.user("focalpoint")
    focal.agency.is_active = False  # a closed office keeps no right
    assert not access.may_aggregate(focal, lisbon)


def test_the_scope_holds_conditions_not_rows(demo):
    scope = access.aggregate_scope(demo.user("focalpoint"))
    assert not [name for name in dir(scope) if not name.startswith("__")
                and isinstance(getattr(scope, name), (QuerySet, Model))]
    assert repr(scope) == "<AggregateScope>"
    with pytest.raises(TypeError):
        indicators.compute("victims_assisted", scope=Victim.objects.all(), period=PERIOD)


# --- The hand-built world --------------------------------------------------------------------

def noon(day):
    return timezone.make_aware(datetime.datetime.combine(D(day), datetime.time(12)))


@contextmanager
def on(day):
    """Everything done inside happens at noon on `day` (stage changes, history, creation)."""
    with mock.patch("django.utils.timezone.now", return_value=noon(day)):
        yield


class World:
    def __init__(self, name):
        self.jurisdiction = Jurisdiction.objects.create(country="PT", name=name)
        self.police = self.agency("police")
        self.prosecution = self.agency("prosecution")
        self.ngo = self.agency("ngo")
        self.shelters = [self.agency("ngo"), self.agency("ngo")]
        self.investigator = factories.user(self.police, "investigator")
        self.prosecutor = factories.user(self.prosecution, "prosecutor")
        self.caseworker = factories.user(self.ngo, "caseworker")

    def agency(self, kind):
        return Agency.objects.create(name=f"{self.jurisdiction.name} {kind} {Agency.objects.count()}", kind=kind,
                                     country="PT", jurisdiction=self.jurisdiction)

    def victim(self, day, *, by=None, **fields):
        with on(day):
            return factories.victim(by or self.investigator, supporting_agencies=[self.ngo], **fields)

    def status(self, victim, status, day):
        victim_services.set_status(victim, status, actor=self.investigator, authority="Police",
                                   criteria="Indicators observed", decided_on=D(day))

    def service(self, victim, started, ended=None, kind="shelter"):
        victim_services.add_service(victim, kind=kind, provider=self.ngo, started_on=D(started),
                                    ended_on=ended and D(ended))

    def refer(self, victim, day):
        # A second referral goes to another shelter: one open referral per agency.
        shelter = self.shelters[Consent.objects.filter(victim=victim, agency__in=self.shelters).count()]
        with on(day):
            victim_services.give_consent(victim, actor=self.caseworker, purpose=Consent.Purpose.REFERRAL,
                                         agency=shelter, informed=True)
            referral_services.send_referral(victim, actor=self.caseworker, to_agency=shelter, services=["shelter"])

    def detain(self, victim, started, ended=None):
        Detention.objects.create(victim=victim, place="Police station", started_on=D(started),
                                 ended_on=ended and D(ended), authority="Police", legal_basis="Immigration law",
                                 necessity_reasoning="Recorded for the test")

    def case(self, opened, forms, **fields):
        return case_services.open_case(actor=self.investigator,
                                       agencies=[(self.prosecution, CaseAgency.Role.PROSECUTING)],
                                       reference=f"STAT-{Case.objects.count() + 1:05d}", title="Statistics case",
                                       jurisdiction=self.jurisdiction, opened_on=D(opened), exploitation_forms=forms,
                                       **fields)

    def move(self, case, *steps):
        for day, stage in steps:
            with on(day):
                lifecycle.move(case, stage, actor=self.prosecutor, reason="Recorded for the test")

    def defendant(self, case, kind=Defendant.Kind.NATURAL, victim=None, charged=None):
        defendant = case_services.save_defendant(Defendant(case=case, kind=kind, name="Accused", victim=victim))
        if charged:
            self.charge(defendant, charged)
        return defendant

    def charge(self, defendant, charged):
        return Charge.objects.create(defendant=defendant, statute_reference="Penal Code art. 160",
                                     offence="trafficking", status=Charge.Status.FILED, charged_on=D(charged))


def verdict(charge, outcome, day, **sentence):
    return Verdict.objects.create(charge=charge, outcome=outcome, decided_on=D(day), **sentence)


def asset(case, day, value, stage=Asset.Stage.FROZEN):
    with on(day):
        return Asset.objects.create(case=case, description="Bank account", kind=Asset.Kind.PROCEEDS, country="PT",
                                    estimated_value=EUR(value), stage=stage)


def move_asset(asset, day, stage):
    with on(day):
        asset.stage = stage
        asset.save()


@pytest.fixture
def world(demo):
    """Six victims and four cases of one district, and what happens elsewhere and before.

    V1 F adult PT [sexual]        V2 F child BR [sexual, labour]   V3 M adult BR [labour]
    V4 M age in doubt RO [begging] V5 F adult PT [] (potential)    V6 M adult UA [labour], recorded
    elsewhere, linked to the restricted case C2. X1 lives wholly in another district.
    """
    w = World("Statistics district")
    other = World("Other district")
    w.focal = demo.user("focalpoint")
    w.scope = access.aggregate_scope(w.focal, jurisdiction=w.jurisdiction)
    w.v1 = w.victim("2026-01-05", sex=F, age_group=ADULT, nationality="PT", exploitation_forms=[SEX])
    w.v2 = w.victim("2026-01-05", sex=F, age_group=CHILD, nationality="BR", exploitation_forms=[SEX, FL])
    w.v3 = w.victim("2025-10-15", sex=M, age_group=ADULT, nationality="BR", exploitation_forms=[FL])
    w.v4 = w.victim("2025-10-15", sex=M, age_group=IN_DOUBT, nationality="RO", exploitation_forms=[BEG])
    w.v5 = w.victim("2026-01-05", sex=F, age_group=ADULT, nationality="PT", exploitation_forms=[])
    w.v6 = other.victim("2026-04-20", sex=M, age_group=ADULT, nationality="UA", exploitation_forms=[FL])
    x1 = other.victim("2026-01-05", sex=F, age_group=ADULT, nationality="PT", exploitation_forms=[SEX])

    for victim, status, day in [(w.v1, "presumed", "2026-01-10"), (w.v1, "identified", "2026-03-01"),
                                (w.v2, "presumed", "2026-02-01"), (w.v3, "presumed", "2025-11-01"),
                                (w.v3, "identified", "2026-04-01"), (w.v4, "presumed", "2025-12-01"),
                                (w.v6, "presumed", "2026-05-01"), (x1, "presumed", "2026-02-01")]:
        w.status(victim, status, day)
    w.service(w.v1, "2025-12-01", "2026-01-15")  # ends in the period
    w.service(w.v2, "2026-03-01", kind="medical")
    w.service(w.v3, "2025-06-01", "2025-12-31")  # ended before
    w.service(w.v4, "2026-07-01")  # starts after
    w.service(w.v6, "2026-05-02")
    other.service(x1, "2026-02-01")
    CooperationWithAuthorities.objects.create(victim=w.v1, status=CooperationWithAuthorities.Status.COOPERATING)
    CooperationWithAuthorities.objects.create(victim=w.v2, status=CooperationWithAuthorities.Status.DECLINED)
    CooperationWithAuthorities.objects.create(victim=w.v3, status=CooperationWithAuthorities.Status.COOPERATING)
    for victim, day in [(w.v1, "2026-01-20"), (w.v1, "2026-03-05"), (w.v2, "2026-02-21"), (w.v3, "2025-12-01"),
                        (w.v3, "2026-04-10"), (w.v4, "2026-02-15")]:
        w.refer(victim, day)
    other.refer(x1, "2026-02-20")
    w.detain(w.v1, "2026-06-30")  # the period's last day
    w.detain(w.v3, "2026-02-01", "2026-02-03")
    w.detain(w.v6, "2025-05-01", "2025-05-02")
    other.detain(x1, "2026-03-01")

    # C1: a full run in the period; two defendants, one a company.
    w.c1 = c1 = w.case("2026-01-02", [SEX])
    d1, d2 = w.defendant(c1), w.defendant(c1, Defendant.Kind.LEGAL)
    d1a, d1b, d2c = w.charge(d1, "2026-02-10"), w.charge(d1, "2026-02-10"), w.charge(d2, "2026-02-10")
    w.move(c1, ("2026-01-05", S.INVESTIGATION), ("2026-02-04", S.CHARGING), ("2026-02-14", S.PRE_TRIAL),
           ("2026-04-15", S.TRIAL))
    verdict(d1a, "convicted", "2026-05-10", custodial_months=48, fine_amount=EUR(1000), currency="EUR")
    verdict(d1b, "convicted", "2026-05-10", custodial_months=14, suspended=True)
    verdict(d2c, "convicted_lesser", "2026-05-10", fine_amount=EUR(50000), currency="EUR")
    w.move(c1, ("2026-05-15", S.JUDGMENT), ("2026-06-14", S.CLOSED))
    victim_services.link_to_case(w.v1, c1, "victim_witness")
    victim_services.link_to_case(w.v2, c1, "complainant")
    for victim, status, awarded, paid, day in [(w.v1, "partly_paid", 5000, 2000, "2026-05-10"),
                                               (w.v2, "awarded", 1000, None, "2026-06-01"),
                                               (w.v2, "paid", 3000, 3000, "2025-12-01")]:
        CompensationClaim.objects.create(case=c1, victim=victim, route="sentence", status=status,
                                         amount_awarded=EUR(awarded), amount_paid=paid and EUR(paid),
                                         decided_on=D(day))
    a1 = asset(c1, "2026-02-01", 10000)
    move_asset(a1, "2026-05-15", Asset.Stage.CONFISCATED)
    with on("2026-06-10"):  # an edit in the stage dates nothing
        a1.description = "Bank account (two)"
        a1.save()
    a2 = asset(c1, "2025-12-01", 500)
    move_asset(a2, "2026-06-01", Asset.Stage.RETURNED)

    # C2: restricted, investigated since before the period, on trial at its end.
    w.c2 = c2 = w.case("2025-11-01", [FL, SEX])
    w.defendant(c2, charged="2026-03-15")
    w.move(c2, ("2025-11-10", S.INVESTIGATION), ("2026-03-01", S.CHARGING), ("2026-03-20", S.PRE_TRIAL),
           ("2026-06-01", S.TRIAL))
    case_services.set_restricted(c2, True)
    victim_services.link_to_case(w.v6, c2, "victim_witness")
    CompensationClaim.objects.create(case=c2, victim=w.v6, route="civil_in_criminal")  # not decided
    asset(c2, "2026-03-01", 2000)

    # C3: V3 charged with an offence tied to their trafficking; not prosecuted; closed.
    w.c3 = c3 = w.case("2026-02-01", [FL])
    d4 = w.defendant(c3, victim=w.v3, charged="2026-03-10")
    NonPunishmentDecision.objects.create(victim=w.v3, defendant=d4, outcome="not_prosecuted",
                                         decided_on=D("2026-04-01"), authority="Prosecution", reasoning="Tied to "
                                         "the trafficking", recorded_by=w.prosecutor)
    w.move(c3, ("2026-02-10", S.INVESTIGATION), ("2026-06-20", S.CLOSED_NO_CHARGE))

    # C4: everything in 2025.
    c4 = w.case("2025-06-01", [])
    d5 = w.defendant(c4, charged="2025-07-05")
    w.move(c4, ("2025-06-02", S.INVESTIGATION), ("2025-07-01", S.CHARGING), ("2025-07-10", S.PRE_TRIAL),
           ("2025-08-01", S.TRIAL))
    verdict(d5.charges.get(), "acquitted", "2025-11-20")
    w.move(c4, ("2025-12-01", S.JUDGMENT), ("2025-12-20", S.CLOSED))

    # C5: the other district, all in the period.
    c5 = other.case("2026-01-10", [SEX])
    d6 = other.defendant(c5, victim=x1, charged="2026-02-15")
    other.move(c5, ("2026-02-01", S.INVESTIGATION), ("2026-02-10", S.CHARGING), ("2026-02-20", S.PRE_TRIAL))
    verdict(d6.charges.get(), "convicted", "2026-03-01", custodial_months=24)
    victim_services.link_to_case(x1, c5, "victim_witness")
    CompensationClaim.objects.create(case=c5, victim=x1, route="sentence", status="paid", amount_awarded=EUR(700),
                                     amount_paid=EUR(700), decided_on=D("2026-04-01"))
    asset(c5, "2026-02-01", 999)
    return w


def compute(w, key, *by):
    return indicators.compute(key, scope=w.scope, period=PERIOD, by=by)


def totals(result):
    return {name: value.total for name, value in result.items() if isinstance(value, Tally)}


def test_the_focal_point_may_not_open_what_it_counts(world):
    assert not access.can(world.focal, "view", world.c2) and not access.can(world.focal, "view", world.v6)
    assert world.v6 in Victim.objects.filter(world.scope.victims())


# --- Victims ---------------------------------------------------------------------------------

def test_victims_recorded(world):
    assert totals(compute(world, "victims_recorded")) == {"persons": 4}  # V1, V2, V5, V6
    assert compute(world, "victims_recorded", "status")["persons"].rows == {
        "identified": 1, "presumed": 2, "potential": 1}
    assert compute(world, "victims_recorded", "exploitation_form")["persons"].rows == {SEX: 2, FL: 2, "": 1}


def test_victims_identified(world):
    result = compute(world, "victims_identified")
    assert totals(result) == {"persons": 4, "presumed": 3, "identified": 2}  # V1 V2 V3 V6; V1 V2 V6; V1 V3
    assert compute(world, "victims_identified", "sex")["persons"].rows == {F: 2, M: 2}
    assert compute(world, "victims_identified", "age_group")["persons"].rows == {ADULT: 3, CHILD: 1}
    assert compute(world, "victims_identified", "nationality")["persons"].rows == {"PT": 1, "BR": 2, "UA": 1}
    forms = compute(world, "victims_identified", "exploitation_form")["persons"]
    assert (forms.total, forms.rows) == (4, {SEX: 2, FL: 3})  # V2 in both forms, once in the total
    assert compute(world, "victims_identified", "status")["identified"].rows == {"identified": 2}


def test_victims_identified_cross_tabulated(world):
    cross = compute(world, "victims_identified", "sex", "exploitation_form")["persons"]
    assert cross == Tally(total=4, rows={F: 2, M: 2}, columns={SEX: 2, FL: 3},
                          cells={(F, SEX): 2, (F, FL): 1, (M, FL): 2})
    flipped = compute(world, "victims_identified", "exploitation_form", "sex")["persons"]
    assert flipped == Tally(total=4, rows={SEX: 2, FL: 3}, columns={F: 2, M: 2},
                            cells={(SEX, F): 2, (FL, F): 1, (FL, M): 2})
    ages = compute(world, "victims_identified", "age_group", "nationality")["persons"]
    assert ages == Tally(total=4, rows={ADULT: 3, CHILD: 1}, columns={"PT": 1, "BR": 2, "UA": 1},
                         cells={(ADULT, "PT"): 1, (CHILD, "BR"): 1, (ADULT, "BR"): 1, (ADULT, "UA"): 1})
    presumed = compute(world, "victims_identified", "age_group", "exploitation_form")["presumed"]  # V1 V2 V6
    assert presumed == Tally(total=3, rows={ADULT: 2, CHILD: 1}, columns={SEX: 2, FL: 2},
                             cells={(ADULT, SEX): 1, (ADULT, FL): 1, (CHILD, SEX): 1, (CHILD, FL): 1})


@pytest.mark.parametrize("by", [(), ("sex",), ("exploitation_form",), ("sex", "age_group"),
                                ("sex", "exploitation_form"), ("exploitation_form", "nationality")])
def test_measures_counted_in_one_query_equal_each_counted_alone(world, by, count_queries):
    from django.db.models import Q

    from reports.statistics.indicators.tally import VICTIM_DIMENSIONS, tally

    dimensions = tuple(VICTIM_DIMENSIONS[key] for key in by)
    victims = Victim.objects.filter(world.scope.victims())
    measures = {"all": None, "women": Q(sex=F), "children": Q(age_group=CHILD), "sexually exploited":
                Q(exploitation_forms__contains=[SEX]), "nobody": Q(pk__in=[])}
    with count_queries.capture(exactly=1):
        together = tally(victims, dimensions, measures=measures)
    alone = {name: tally(victims if condition is None else victims.filter(condition), dimensions)
             for name, condition in measures.items()}
    assert together == alone
    assert together["all"].total == victims.count() > 0 and together["nobody"] == Tally(0)


def test_victims_referred(world):
    assert totals(compute(world, "victims_referred")) == {"persons": 4}  # V1 V2 V3 V4
    assert compute(world, "victims_referred", "sex")["persons"].rows == {F: 2, M: 2}
    assert compute(world, "victims_referred", "age_group")["persons"].rows == {ADULT: 2, CHILD: 1, IN_DOUBT: 1}
    assert compute(world, "victims_referred", "nationality")["persons"].rows == {"PT": 1, "BR": 2, "RO": 1}
    assert compute(world, "victims_referred", "exploitation_form")["persons"].rows == {SEX: 2, FL: 2, BEG: 1}
    assert compute(world, "victims_referred", "sex", "age_group")["persons"].cells == {
        (F, ADULT): 1, (F, CHILD): 1, (M, ADULT): 1, (M, IN_DOUBT): 1}


def test_victims_assisted(world):
    assert totals(compute(world, "victims_assisted")) == {"persons": 3}  # V1 V2 V6
    assert compute(world, "victims_assisted", "sex")["persons"].rows == {F: 2, M: 1}
    assert compute(world, "victims_assisted", "age_group")["persons"].rows == {ADULT: 2, CHILD: 1}
    assert compute(world, "victims_assisted", "nationality")["persons"].rows == {"PT": 1, "BR": 1, "UA": 1}
    assert compute(world, "victims_assisted", "exploitation_form")["persons"].rows == {SEX: 2, FL: 2}
    assert compute(world, "victims_assisted", "nationality", "sex")["persons"].cells == {
        ("PT", F): 1, ("BR", F): 1, ("UA", M): 1}


def test_assistance_not_conditional_on_cooperation(world):
    result = compute(world, "assistance_unconditional")
    assert totals(result) == {"assisted": 3, "not_cooperating": 2}  # V2 declined, V6 never asked
    assert result["share"] == pytest.approx(2 / 3)
    by_sex = compute(world, "assistance_unconditional", "sex")
    assert (by_sex["assisted"].rows, by_sex["not_cooperating"].rows) == ({F: 2, M: 1}, {F: 1, M: 1})
    assert compute(world, "assistance_unconditional", "age_group")["not_cooperating"].rows == {CHILD: 1, ADULT: 1}
    assert compute(world, "assistance_unconditional", "nationality")["not_cooperating"].rows == {"BR": 1, "UA": 1}
    assert compute(world, "assistance_unconditional", "exploitation_form")["not_cooperating"].rows == {SEX: 1, FL: 2}
    assert compute(world, "assistance_unconditional", "sex", "exploitation_form")["not_cooperating"].cells == {
        (F, SEX): 1, (F, FL): 1, (M, FL): 1}


def test_victims_detained(world):
    assert totals(compute(world, "victims_detained")) == {"persons": 2}  # V1 from the last day, V3
    assert compute(world, "victims_detained", "sex")["persons"].rows == {F: 1, M: 1}
    assert compute(world, "victims_detained", "age_group")["persons"].rows == {ADULT: 2}
    assert compute(world, "victims_detained", "nationality")["persons"].rows == {"PT": 1, "BR": 1}
    assert compute(world, "victims_detained", "exploitation_form")["persons"].rows == {SEX: 1, FL: 1}


def test_victims_prosecuted(world):
    result = compute(world, "victims_prosecuted")
    assert totals(result) == {"persons": 1, "not_punished": 1}  # V3; X1 is elsewhere
    by_form = compute(world, "victims_prosecuted", "exploitation_form", "nationality")
    assert by_form["persons"].cells == {(FL, "BR"): 1}
    assert compute(world, "victims_prosecuted", "sex")["not_punished"].rows == {M: 1}


def test_compensation(world):
    awarded = compute(world, "compensation_awarded")
    assert awarded["persons"].total == 2 and awarded["awarded"] == {"EUR": EUR("6000.00")}
    assert compute(world, "compensation_awarded", "age_group")["persons"].rows == {ADULT: 1, CHILD: 1}
    assert compute(world, "compensation_awarded", "sex")["persons"].rows == {F: 2}
    paid = compute(world, "compensation_paid", "nationality")
    assert paid["persons"] == Tally(1, {"PT": 1}) and paid["paid"] == {"EUR": EUR("2000.00")}


# --- Cases, persons prosecuted, sentences, assets --------------------------------------------

@pytest.mark.parametrize("key, total, forms", [
    ("cases_investigated", 2, {SEX: 1, FL: 1}),  # C1, C3 (C2's opened in 2025, C5's elsewhere)
    ("cases_prosecuted", 2, {SEX: 2, FL: 1}),  # C1, C2 (restricted)
    ("cases_adjudicated", 1, {SEX: 1}),  # C1
    ("cases_convicted", 1, {SEX: 1}),
])
def test_cases(world, key, total, forms):
    assert totals(compute(world, key)) == {"cases": total}
    assert compute(world, key, "exploitation_form")["cases"] == Tally(total, forms)


def test_persons_prosecuted_and_convicted(world):
    assert compute(world, "persons_prosecuted", "kind")["persons"] == Tally(4, {"natural": 3, "legal": 1})
    assert compute(world, "persons_convicted", "kind")["persons"] == Tally(2, {"natural": 1, "legal": 1})
    # By their case's forms: D1 D2 (C1 sexual), D3 (C2 both), D4 (C3 labour).
    assert compute(world, "persons_prosecuted", "exploitation_form")["persons"] == Tally(4, {SEX: 3, FL: 2})
    assert compute(world, "persons_prosecuted", "kind", "exploitation_form")["persons"] == Tally(
        4, rows={"natural": 3, "legal": 1}, columns={SEX: 3, FL: 2},
        cells={("natural", SEX): 2, ("natural", FL): 2, ("legal", SEX): 1})
    assert compute(world, "persons_convicted", "exploitation_form")["persons"] == Tally(2, {SEX: 2})


def test_sentences(world):
    result = compute(world, "sentences")
    assert {band: tally.total for band, tally in result["custodial"].items()} == {
        "none": 1, "under_1y": 0, "1_3y": 0, "3_5y": 1, "5_10y": 0, "10y_plus": 0}  # D2; D1's longest 48
    assert (result["suspended"].total, result["fined"].total) == (1, 2)
    assert result["fines"] == {"EUR": EUR("51000.00")}
    by_kind = compute(world, "sentences", "kind")
    assert by_kind["custodial"]["none"].rows == {"legal": 1} and by_kind["custodial"]["3_5y"].rows == {"natural": 1}
    assert by_kind["fined"].rows == {"natural": 1, "legal": 1}


def test_assets(world):
    result = compute(world, "assets")
    assert totals(result) == {"frozen": 2, "confiscated": 1, "returned": 1}  # A1 A3; A1; A2
    assert (result["frozen_value"], result["confiscated_value"], result["returned_value"]) == (
        {"EUR": EUR("12000.00")}, {"EUR": EUR("10000.00")}, {"EUR": EUR("500.00")})
    assert compute(world, "assets", "exploitation_form")["frozen"].rows == {SEX: 2, FL: 1}


# --- Durations -------------------------------------------------------------------------------

def test_identification_to_referral(world):
    # First referrals in the period: V1 10 days, V2 20, V4 76 (V3's first was in 2025).
    assert compute(world, "identification_to_referral") == {"n": 3, "median": 20.0, "p90": pytest.approx(64.8)}


def test_stage_durations(world):
    result = compute(world, "stage_durations")
    expected = {
        "intake": (2, 6.0, 8.4),  # C1 3, C3 9
        "investigation": (3, 111.0, 126.2),  # C1 30, C2 111, C3 130
        "charging": (2, 14.5, 18.1),  # C1 10, C2 19
        "pre_trial": (2, 66.5, 71.7),  # C1 60, C2 73
        "trial": (1, 30.0, 30.0),
        "judgment": (1, 30.0, 30.0),
    }
    assert {stage: (row["n"], row["median"], pytest.approx(row["p90"])) for stage, row in result.items()} == {
        stage: (n, median, pytest.approx(p90)) for stage, (n, median, p90) in expected.items()}


def test_case_length(world):
    assert compute(world, "case_length") == {"n": 2, "median": 151.0, "p90": pytest.approx(160.6)}  # 163, 139


def test_an_empty_period_counts_nothing(world):
    empty = Period(D("2020-01-01"), D("2020-01-31"))  # before anything (services still open go on)
    assert indicators.compute("victims_assisted", scope=world.scope, period=empty, by=("sex",))["persons"] == Tally(0)
    assert indicators.compute("assistance_unconditional", scope=world.scope, period=empty)["share"] is None
    assert indicators.compute("case_length", scope=world.scope, period=empty) == {"n": 0, "median": None, "p90": None}


# --- Every indicator: numbers only, a constant number of queries -----------------------------

def _numbers_only(value):
    if isinstance(value, Tally):
        return all(isinstance(n, int) for n in [value.total, *value.rows.values(), *value.columns.values(),
                                                *value.cells.values()])
    if isinstance(value, dict):
        return all(isinstance(k, str) and _numbers_only(v) for k, v in value.items())
    return value is None or isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def _breakdowns(indicator):
    keys = list(indicator.dimensions)
    return [()] + [(key,) for key in keys] + [(a, b) for a in keys for b in keys if a != b][:2]


def test_every_indicator_is_defined_and_returns_numbers_only(world):
    assert len({i.key for i in indicators.INDICATORS}) == len(indicators.INDICATORS) == 20
    for indicator in indicators.INDICATORS:
        assert "SPEC" in indicator.spec and indicator.definition and indicator.unit in (
            indicators.PERSONS, indicators.CASES, indicators.AMOUNT, indicators.DAYS)
        for by in _breakdowns(indicator):
            assert _numbers_only(indicator.compute(scope=world.scope, period=PERIOD, by=by)), (indicator.key, by)


def _grow(w, start, count):
    for number in range(start, start + count):
        victim = w.victim("2026-01-05", sex=(F, M)[number % 2], age_group=(ADULT, CHILD)[number % 2],
                          nationality=("PT", "BR", "RO")[number % 3], exploitation_forms=[(SEX, FL)[number % 2]])
        w.status(victim, "presumed", "2026-01-10")
        w.service(victim, "2026-01-11")
        w.refer(victim, "2026-01-12")
        if number % 2 == 0:
            w.detain(victim, "2026-01-13")
        CooperationWithAuthorities.objects.create(victim=victim, status=CooperationWithAuthorities.Status.DECLINED)
        case = w.case("2026-01-02", [(SEX, FL)[number % 2]])
        defendant = w.defendant(case, victim=victim, kind=(Defendant.Kind.NATURAL, Defendant.Kind.LEGAL)[number % 2])
        charge = w.charge(defendant, "2026-01-20")
        w.move(case, ("2026-01-05", S.INVESTIGATION), ("2026-01-15", S.CHARGING), ("2026-01-25", S.PRE_TRIAL),
               ("2026-02-01", S.TRIAL))
        verdict(charge, "convicted", "2026-03-01", custodial_months=number * 5, fine_amount=EUR(10), currency="EUR")
        victim_services.link_to_case(victim, case, "victim_witness")
        CompensationClaim.objects.create(case=case, victim=victim, route="sentence", status="awarded",
                                         amount_awarded=EUR(100), decided_on=D("2026-03-02"))
        asset(case, "2026-02-02", 100)


def _queries(count_queries, scope):
    counts = {}
    for indicator in indicators.INDICATORS:
        for by in _breakdowns(indicator):
            with count_queries.capture() as queries:
                indicator.compute(scope=scope, period=PERIOD, by=by)
            counts[(indicator.key, by)] = len(queries)
    return counts


def test_queries_do_not_grow_with_the_data(demo, count_queries):
    w = World("Growing district")
    scope = access.aggregate_scope(demo.user("focalpoint"), jurisdiction=w.jurisdiction)
    _grow(w, 0, 3)
    few = _queries(count_queries, scope)
    assert indicators.compute("victims_assisted", scope=scope, period=PERIOD)["persons"].total == 3
    _grow(w, 3, 27)
    assert indicators.compute("victims_assisted", scope=scope, period=PERIOD)["persons"].total == 30
    assert _queries(count_queries, scope) == few
    assert max(few.values()) <= 9  # sentences: six bands, the suspended, the fined and the fines
