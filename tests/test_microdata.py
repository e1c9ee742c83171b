"""The anonymised microdata release [SPEC 2.8]: CTDC's column layout, k-anonymity over the
quasi-identifiers, nothing from the database that names anyone, and the generalisation and
suppression worked out by hand."""

import datetime
from collections import Counter
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone
from django_countries.data import COUNTRIES
from hypothesis import given, settings, strategies as st

import access
from accounts.models import Agency, Jurisdiction
from cases.models import Case
from cases.models.vocabularies import ExploitationForm as Form
from reports.statistics.indicators import Period
from reports.statistics.microdata import COLUMNS, QUASI_IDENTIFIERS, release, release_rows, source
from reports.statistics.microdata.anonymise import is_k_anonymous
from reports.statistics.microdata.codebook import AGE_BANDS, MISSING
from reports.statistics.microdata.regions import REGION, region_of
from victims import services as victim_services
from victims.models import Gender, Victim, VictimIdentity
from victims.models.vocabularies import MethodOfControl, Recruitment, RecruitmentLure

from . import factories

D = datetime.date.fromisoformat
F, M = Gender.FEMALE, Gender.MALE
ADULT, CHILD, IN_DOUBT = Victim.AgeGroup.ADULT, Victim.AgeGroup.CHILD, Victim.AgeGroup.IN_DOUBT
PERIOD = Period(D("2026-01-01"), D("2026-12-31"))
EVER = Period(D("2000-01-01"), D("2100-12-31"))

# The layout the README documents (Anonymised microdata release): CTDC's global dataset, column for column.
CODEBOOK = """
yearOfRegistration Datasource gender ageBroad majorityStatus majorityStatusAtExploit majorityEntry citizenship
meansOfControlDebtBondage meansOfControlTakesEarnings meansOfControlRestrictsFinancialAccess meansOfControlThreats
meansOfControlPsychologicalAbuse meansOfControlPhysicalAbuse meansOfControlSexualAbuse meansOfControlFalsePromises
meansOfControlPsychoactiveSubstances meansOfControlRestrictsMovement meansOfControlRestrictsMedicalCare
meansOfControlExcessiveWorkingHours meansOfControlUsesChildren meansOfControlThreatOfLawEnforcement
meansOfControlWithholdsNecessities meansOfControlWithholdsDocuments meansOfControlOther meansOfControlNotSpecified
meansOfControlConcatenated isForcedLabour isSexualExploit isOtherExploit isSexAndLabour isForcedMarriage
isForcedMilitary isOrganRemoval isSlaveryAndPractices typeOfExploitConcatenated typeOfLabourAgriculture
typeOfLabourAquafarming typeOfLabourBegging typeOfLabourConstruction typeOfLabourDomesticWork typeOfLabourHospitality
typeOfLabourIllicitActivities typeOfLabourManufacturing typeOfLabourMiningOrDrilling typeOfLabourPeddling
typeOfLabourTransportation typeOfLabourOther typeOfLabourNotSpecified typeOfLabourConcatenated typeOfSexProstitution
typeOfSexPornography typeOfSexRemoteInteractiveServices typeOfSexPrivateSexualServices typeOfSexConcatenated
isAbduction RecruiterRelationship CountryOfExploitation recruiterRelationIntimatePartner recruiterRelationFriend
recruiterRelationFamily recruiterRelationOther recruiterRelationUnknown
""".split()
# The released columns of each quasi-identifier.
QI_COLUMNS = ("gender", "ageBroad", "majorityStatus", "citizenship", "CountryOfExploitation", "isForcedLabour",
              "isSexualExploit", "isOtherExploit", "isSexAndLabour", "isForcedMarriage", "isForcedMilitary",
              "isOrganRemoval", "isSlaveryAndPractices", "typeOfExploitConcatenated")


def qi(rows):
    positions = [COLUMNS.index(column) for column in QI_COLUMNS]
    return [tuple(row[i] for i in positions) for row in rows]


def cell(rows, column):
    return [row[COLUMNS.index(column)] for row in rows]


def record(sex=F, band="24--26", age_group=ADULT, nationality="PT", country="PT", forms=(Form.SEXUAL,), **more):
    """A source record as `source` gives it."""
    return {"year": 2026, "sex": sex, "band": band, "age_group": age_group, "nationality": nationality,
            "exploitation_country": country, "forms": list(forms), "sex_types": more.get("sex_types", []),
            "industries": more.get("industries", []), "methods_of_control": more.get("methods", []),
            "recruitment": more.get("recruitment", []), "lures": more.get("lures", [])}


# --- The layout and the mapping, without the database --------------------------------------

def test_the_columns_are_the_codebook_layout():
    assert list(COLUMNS) == CODEBOOK
    assert QUASI_IDENTIFIERS == ("age", "citizenship", "exploitation_country", "exploitation", "gender")


def test_every_country_has_one_un_m49_region_but_antarctica():
    assert set(REGION) == set(COUNTRIES) - {"AQ"}
    assert region_of(code="PT") == "Europe" and region_of(code="BR") == "Americas" and region_of(code="TR") == "Asia"
    assert region_of(code="") is None and region_of(code="AQ") is None


def test_a_record_is_written_as_the_codebook_writes_it():
    rows, report = release_rows(records=[record(
        forms=[Form.FORCED_LABOUR, Form.FORCED_BEGGING, Form.SEXUAL], sex_types=["Prostitution"],
        industries=["A_AgricultureForestryAndFishing", "P_Education"],
        methods=[MethodOfControl.DEBT_BONDAGE, MethodOfControl.RESTRICTED_MOVEMENT, MethodOfControl.ISOLATION],
        recruitment=[Recruitment.FRIENDS], lures=[RecruitmentLure.ABDUCTION])], k=1)
    row = dict(zip(COLUMNS, rows[0]))
    assert report.steps == () and report.records_generalised == 0
    assert {key: row[key] for key in ("yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus",
                                      "majorityStatusAtExploit", "citizenship", "CountryOfExploitation")} == {
        "yearOfRegistration": 2026, "Datasource": "Case Management", "gender": "Female", "ageBroad": "24--26",
        "majorityStatus": "Adult", "majorityStatusAtExploit": MISSING, "citizenship": "PT",
        "CountryOfExploitation": "PT"}
    assert (row["meansOfControlDebtBondage"], row["meansOfControlRestrictsMovement"], row["meansOfControlOther"],
            row["meansOfControlThreats"], row["meansOfControlNotSpecified"]) == (1, 1, 1, 0, 0)
    assert row["meansOfControlConcatenated"] == "DebtBondage;RestrictsMovement;Other"
    assert (row["isForcedLabour"], row["isSexualExploit"], row["isOtherExploit"], row["isSexAndLabour"],
            row["isForcedMarriage"]) == (1, 1, 0, 1, 0)
    assert row["typeOfExploitConcatenated"] == "Forced labour;Sexual exploitation"
    assert row["typeOfLabourConcatenated"] == "Agriculture;Begging;Other"
    assert (row["typeOfLabourAgriculture"], row["typeOfLabourBegging"], row["typeOfLabourNotSpecified"]) == (1, 1, 0)
    assert (row["typeOfSexProstitution"], row["typeOfSexPornography"], row["typeOfSexConcatenated"]) == (
        1, 0, "Prostitution")
    assert (row["isAbduction"], row["RecruiterRelationship"], row["recruiterRelationFriend"],
            row["recruiterRelationFamily"], row["recruiterRelationUnknown"]) == (1, "Friend", 1, 0, 0)

    nothing = dict(zip(COLUMNS, release_rows(records=[record(band=str(MISSING), age_group=IN_DOUBT, nationality="",
                                                     country="", forms=[])], k=1)[0][0]))
    assert (nothing["ageBroad"], nothing["majorityStatus"], nothing["citizenship"], nothing["isForcedLabour"],
            nothing["typeOfLabourAgriculture"], nothing["meansOfControlDebtBondage"],
            nothing["meansOfControlNotSpecified"], nothing["isAbduction"], nothing["recruiterRelationUnknown"]) == (
        MISSING, MISSING, MISSING, MISSING, MISSING, MISSING, 1, MISSING, 1)


# --- Generalisation and suppression, by hand ------------------------------------------------

HAND = [
    record(band="24--26"), record(band="24--26"),  # a pair: safe as they are
    record(band="27--29"), record(band="21--23"),  # each alone; their bands are rare: to "adult"
    record(sex=M, band="30--38", nationality="BR", forms=[Form.FORCED_LABOUR]),
    record(sex=M, band="30--38", nationality="BR", forms=[Form.FORCED_LABOUR]),
    record(sex=M, band="30--38", nationality="UA", forms=[Form.FORCED_LABOUR]),  # alone whatever is done
]


def test_generalisation_and_suppression_on_a_hand_example():
    rows, report = release_rows(records=HAND, k=2)
    assert report.steps == ("age: rare values to broad band (minor / adult)",)
    assert (report.records_in, report.records_generalised, report.records_suppressed, report.records_released) == (
        7, 2, 1, 6)
    assert len(rows) == 6 and is_k_anonymous(rows=qi(rows), k=2)
    assert Counter(zip(cell(rows, "ageBroad"), cell(rows, "majorityStatus"))) == {
        ("24--26", "Adult"): 2, (MISSING, "Adult"): 2, ("30--38", "Adult"): 2}
    assert "UA" not in cell(rows, "citizenship")
    # With k=3 every woman's band is rare, and only hiding every citizenship keeps the men.
    rows, report = release_rows(records=HAND, k=3)
    assert report.steps == ("age: rare values to broad band (minor / adult)", "citizenship: every value to unknown")
    assert (report.records_generalised, report.records_suppressed) == (7, 0)
    assert Counter(cell(rows, "ageBroad")) == {"30--38": 3, MISSING: 4}
    assert set(cell(rows, "citizenship")) == {MISSING} and is_k_anonymous(rows=qi(rows), k=3)


def test_rare_citizenships_go_to_their_region_first():
    records = [record(nationality=code) for code in ("PT", "PT", "ES", "FR", "BR", "BR")]
    rows, report = release_rows(records=records, k=2)
    assert report.steps == ("citizenship: rare values to UN M49 region",)
    assert sorted(cell(rows, "citizenship")) == ["BR", "BR", "Europe", "Europe", "PT", "PT"]
    assert (report.records_generalised, report.records_suppressed) == (2, 0)


def test_rare_types_of_exploitation_go_to_the_broad_type():
    records = [record(forms=[Form.FORCED_MARRIAGE]), record(forms=[Form.ORGAN_REMOVAL]), record(), record()]
    rows, report = release_rows(records=records, k=2)
    assert report.steps == ("exploitation: rare values to broad type (forced labour / sexual / other)",)
    other = [dict(zip(COLUMNS, row)) for row in rows if dict(zip(COLUMNS, row))["isOtherExploit"] == 1]
    assert [(row["isForcedMarriage"], row["isOrganRemoval"], row["typeOfExploitConcatenated"]) for row in other] == [
        (MISSING, MISSING, "Other")] * 2


def test_a_release_without_rare_combinations_is_not_generalised():
    records = [record(), record(), record(sex=M, nationality="BR"), record(sex=M, nationality="BR")]
    rows, report = release_rows(records=records, k=2)
    assert report.steps == () and (report.records_generalised, report.records_suppressed) == (0, 0)
    assert sorted(cell(rows, "citizenship")) == ["BR", "BR", "PT", "PT"]


def test_k_is_a_whole_number():
    with pytest.raises(ValueError):
        release_rows(records=HAND, k=0)


_countries = st.sampled_from(["PT", "PT", "BR", "ES", "UA", "NG", "", "AQ"])
_records = st.builds(
    record, sex=st.sampled_from([F, F, M, Gender.NON_CONFORMING, Gender.UNKNOWN]),
    band=st.sampled_from([label for _, _, label in AGE_BANDS] + [str(MISSING)]),
    age_group=st.sampled_from([ADULT, CHILD, IN_DOUBT]), nationality=_countries, country=_countries,
    forms=st.lists(st.sampled_from([Form.SEXUAL, Form.FORCED_LABOUR, Form.FORCED_MARRIAGE, Form.OTHER]),
                   max_size=2, unique=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(_records, max_size=40), st.integers(min_value=1, max_value=5),
       st.sampled_from([0, 0.05, 0.2]))
def test_every_release_is_k_anonymous(records, k, max_suppressed):
    rows, report = release_rows(records=records, k=k, max_suppressed=max_suppressed)
    assert is_k_anonymous(rows=qi(rows), k=k)
    assert len(rows) == report.records_released == report.records_in - report.records_suppressed
    assert 0 <= report.records_generalised <= len(rows)
    assert release_rows(records=records, k=k, max_suppressed=max_suppressed) == (rows, report)  # deterministic
    assert release_rows(records=list(reversed(records)), k=k, max_suppressed=max_suppressed)[0] == rows  # order-blind


# --- From the database ---------------------------------------------------------------------

@contextmanager
def on(day):
    with mock.patch("django.utils.timezone.now",
                    return_value=timezone.make_aware(datetime.datetime.combine(D(day), datetime.time(12)))):
        yield


class District:
    def __init__(self, demo, name):
        self.jurisdiction = Jurisdiction.objects.create(country="PT", name=name)
        police = Agency.objects.create(name=f"{name} police", kind="police", country="PT",
                                       jurisdiction=self.jurisdiction)
        self.investigator = factories.user(police, "investigator")
        self.scope = access.aggregate_scope(demo.user("focalpoint"), jurisdiction=self.jurisdiction)
        self.number = 0

    def victim(self, day="2026-03-01", born=None, **fields):
        self.number += 1
        n = self.number
        identity = {"given_names": f"Given{n}x", "family_name": f"Family{n}x", "aliases": f"Alias{n}x",
                    "email": f"person{n}@example.org", "mobile_phone": f"+351 91{n:07d}",
                    "guardian": f"Guardian{n}x", "mailing_city": f"City{n}x", "shelter_location": f"Shelter{n}x",
                    "date_of_birth": born and D(born)}
        with on(day):
            return victim_services.record_victim(actor=self.investigator, identity=identity, **fields)


def forbidden_values():
    """Every victim code, case reference and non-empty identity value in the database (dates in
    ISO). The address's country is left out: a country code is a released citizenship too, and
    the source query is shown not to read the address (test_the_source_reads_no_code_nor_identity)."""
    values = set(Victim.objects.values_list("code", flat=True)) | set(Case.objects.values_list("reference", flat=True))
    names = [f.name for f in VictimIdentity._meta.concrete_fields if f.name not in ("victim", "mailing_country")]
    for identity in VictimIdentity.objects.values_list(*names):
        values |= {value.isoformat() if isinstance(value, datetime.date) else str(value)
                   for value in identity if value not in (None, "")}
    return values


def assert_clean(result):
    forbidden = forbidden_values()
    assert forbidden
    for row in result.rows:
        for value in row:
            text = str(value)
            assert not any(bad in text for bad in forbidden), text


@pytest.fixture
def district(demo):
    d = District(demo, "Microdata district")
    for _ in range(3):
        d.victim(sex=F, age_group=ADULT, nationality="PT", exploitation_country="PT", exploitation_forms=[Form.SEXUAL],
                 born="1999-06-01", methods_of_control=[MethodOfControl.DEBT_BONDAGE])
    d.victim(sex=F, age_group=ADULT, nationality="ES", exploitation_country="PT", exploitation_forms=[Form.SEXUAL],
             born="2000-01-01")  # rare Spanish citizenship: to Europe
    for _ in range(2):
        d.victim(sex=M, age_group=ADULT, nationality="BR", exploitation_country="PT",
                 exploitation_forms=[Form.FORCED_LABOUR], estimated_age=32)
    d.victim(sex=M, age_group=CHILD, nationality="BR", exploitation_country="PT",
             exploitation_forms=[Form.FORCED_LABOUR], born="2012-02-02")  # the only boy: suppressed
    d.victim(day="2025-12-31", sex=F, age_group=ADULT, nationality="PT", exploitation_forms=[Form.SEXUAL])  # before
    return d


def test_a_release_from_the_database(district):
    result = release(scope=district.scope, period=PERIOD, k=2)
    assert result.columns == COLUMNS and all(len(row) == len(COLUMNS) for row in result.rows)
    # The Spaniard joins the Portuguese women in Europe; the boy stands out whatever is done.
    assert (result.report.records_in, result.report.records_suppressed, result.report.records_generalised) == (7, 1, 6)
    assert result.report.steps == ("citizenship: every value to UN M49 region",)
    assert is_k_anonymous(rows=qi(result.rows), k=2)
    released = zip(*(cell(result.rows, column) for column in ("gender", "ageBroad", "citizenship")))
    assert Counter(released) == {
        ("Female", "24--26", "Europe"): 4, ("Male", "30--38", "Americas"): 2}
    assert set(cell(result.rows, "yearOfRegistration")) == {2026}
    assert_clean(result)


def test_the_source_reads_no_code_nor_identity(district, count_queries):
    with count_queries.capture(exactly=1) as queries:
        records = source(scope=district.scope, period=PERIOD)
    sql = queries[0]["sql"]
    assert '"code"' not in sql and "reference" not in sql
    for name in ("given_names", "family_name", "aliases", "email", "phone", "guardian", "mailing", "shelter"):
        assert name not in sql, name
    assert sql.count("date_of_birth") == sql.count("AGE(") > 0  # only inside AGE(...): read as a band
    assert all(set(r) == {"year", "sex", "band", "age_group", "nationality", "exploitation_country", "forms",
                          "sex_types", "industries", "methods_of_control", "recruitment", "lures"} for r in records)
    assert sorted(r["band"] for r in records) == sorted(["24--26"] * 4 + ["30--38"] * 2 + ["9--17"])


def test_the_demo_release_is_k_anonymous_and_names_nobody(demo):
    scope = access.aggregate_scope(demo.user("focalpoint"))
    for k in (1, 2, 5):
        result = release(scope=scope, period=EVER, k=k)
        assert result.report.records_in == Victim.objects.filter(scope.victims()).count() > 0
        assert len(result.rows) == result.report.records_released
        assert is_k_anonymous(rows=qi(result.rows), k=k)
        assert_clean(result)


def test_queries_do_not_grow_with_the_victims(demo, count_queries):
    d = District(demo, "Growing microdata district")

    def grow(n):
        for i in range(n):
            d.victim(sex=(F, M)[i % 2], age_group=ADULT, nationality=("PT", "BR", "UA")[i % 3],
                     exploitation_forms=[Form.SEXUAL], born="1990-01-01")

    def queries():
        with count_queries.capture() as captured:
            result = release(scope=d.scope, period=PERIOD, k=2)
        return len(captured), result.report.records_in

    grow(3)
    few = queries()
    grow(27)
    assert few == (1, 3) and queries() == (1, 30)
