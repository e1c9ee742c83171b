"""Demo agencies in two countries, one user per function, and cases and victims arranged so
that every function sees a different share; and, for the focal point's coordination report,
two more cases handled by agencies no demo login belongs to. Safe to run again: existing rows
are kept."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.functions import AgencyKind, Function
from accounts.models import Agency, Jurisdiction, TrainingRecord, User
from accounts.two_factor import secret
from cases import lifecycle
from cases import services as case_services
from cases.models import (
    Case, CaseAgency, CaseAssignment, Charge, CooperationRequest as CR, CoordinationMeeting, Defendant,
)
from deadlines import services as deadline_services
from deadlines.models import Deadline
from hearings import services as hearing_services
from hearings.models import Courtroom, Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure
from protection import services as order_services
from protection.models import ProtectionOrder, Violation
from referrals import services as referral_services
from referrals.models import Referral, ServiceProvider
from victims import services as victim_services
from victims.models import (
    AssistanceService, Consent, CooperationWithAuthorities, CounsellingNote, Indicator, ParticipationEntry,
    ProtectedRelative, ResidencePermit, RiskAssessment, SafetyPlan, Victim, VictimCaseLink,
)

VICTIM_V2 = "V-DM4HN8TB"

# The referral directory: agency key -> entry.
DIRECTORY = {
    "pt-ngo": dict(services=["shelter", "medical", "psychological", "legal_aid", "interpretation",
                             "court_accompaniment"], languages=["pt", "en", "es", "ro", "ne"],
                   areas="Lisbon district", accepts_children=True, capacity=4,
                   contact_point="Referral desk (24 h)", contact_phone="+351 800 000 111",
                   contact_email="referrals@safeharbour.example.org"),
    "br-ngo": dict(services=["shelter", "psychological", "legal_aid", "education"], languages=["pt", "es"],
                   areas="São Paulo state", accepts_children=False, capacity=10,
                   contact_point="Coordenação de acolhimento", contact_email="acolhida@example.org"),
}

AGENCIES = {
    "pt-police": ("Judicial Police – Anti-Trafficking Unit", AgencyKind.POLICE, "PT"),
    "pt-labour": ("Labour Conditions Authority – Lisbon", AgencyKind.LABOUR_INSPECTORATE, "PT"),
    "pt-prosecution": ("Public Prosecution Service – Lisbon", AgencyKind.PROSECUTION, "PT"),
    "pt-court": ("Lisbon Criminal Court", AgencyKind.COURT, "PT"),
    "pt-ngo": ("Safe Harbour Association", AgencyKind.NGO, "PT"),
    "pt-focal": ("National Anti-Trafficking Coordination Office", AgencyKind.COORDINATION, "PT"),
    "pt-oversight": ("Inspectorate-General of Justice Services", AgencyKind.OVERSIGHT, "PT"),
    "br-police": ("Federal Police – Human Trafficking Unit", AgencyKind.POLICE, "BR"),
    "br-ngo": ("Casa Acolhida", AgencyKind.NGO, "BR"),
    # The coordination world (Command._coordination_world): agencies no demo login belongs to.
    "pt-immigration": ("Immigration and Borders Service – Lisbon", AgencyKind.IMMIGRATION, "PT"),
    "pt-prosecution-sintra": ("Public Prosecution Service – Sintra", AgencyKind.PROSECUTION, "PT"),
    "pt-court-sintra": ("Sintra Criminal Court", AgencyKind.COURT, "PT"),
    "pt-ngo-rota": ("Rota Segura Association", AgencyKind.NGO, "PT"),
}

# username: (first, last, agency, functions, staff)
USERS = {
    "investigator": ("Inês", "Duarte", "pt-police", [Function.INVESTIGATOR], False),
    "frontline": ("Rui", "Matos", "pt-labour", [Function.FRONTLINE], False),
    "prosecutor": ("Helena", "Costa", "pt-prosecution", [Function.PROSECUTOR], False),
    "supervisor": ("Miguel", "Sousa", "pt-prosecution", [Function.SUPERVISOR], False),
    "clerk": ("Ana", "Ferreira", "pt-court", [Function.COURT_CLERK], False),
    "judge": ("Paulo", "Lima", "pt-court", [Function.JUDGE], False),
    "caseworker": ("Sofia", "Almeida", "pt-ngo", [Function.CASEWORKER], False),
    "focalpoint": ("Teresa", "Nunes", "pt-focal", [Function.FOCAL_POINT], False),
    "auditor": ("Jorge", "Pinto", "pt-oversight", [Function.AUDITOR], False),
    "admin": ("Marta", "Reis", "pt-focal", [Function.ADMIN], True),
    "investigator.br": ("Lucas", "Pereira", "br-police", [Function.INVESTIGATOR], False),
    "caseworker.br": ("Camila", "Rocha", "br-ngo", [Function.CASEWORKER], False),
}

# People the coordination world's cases need, who never sign in (no password, no demo login):
# username: (first, last, agency, function).
BACKGROUND_STAFF = {
    "carla.mendes": ("Carla", "Mendes", "pt-immigration", Function.INVESTIGATOR),
    "ricardo.antunes": ("Ricardo", "Antunes", "pt-prosecution-sintra", Function.PROSECUTOR),
    "beatriz.carvalho": ("Beatriz", "Carvalho", "pt-court-sintra", Function.JUDGE),
    "luisa.teixeira": ("Luísa", "Teixeira", "pt-ngo-rota", Function.CASEWORKER),
}

R = CaseAgency.Role
T = CaseAssignment.TeamRole
L = VictimCaseLink.Role

CASES = [
    {
        "reference": "PT-LIS-2026-0001",
        "title": "Operation Harvest: labour exploitation on farms",
        "jurisdiction": "pt", "is_transnational": True, "court": "pt-court",
        "origin": "inspection", "investigation_type": "reactive", "exploitation_forms": ["ForcedLabour"],
        "countries_of_origin": ["BR"], "countries_of_destination": ["PT"],
        "investigation_summary": "Recruiter network in two countries; wage records seized at the farm office.",
        "defendants": [
            {"name": "Quinta Verde Lda.", "kind": "legal", "roles": ["Exploiter"], "nationality": "PT",
             "charges": [("Penal Code art. 160", "trafficking", ["ForcedLabour"])]},
            # Recorded before the roles took HTCDS's values: his "harbourer / receiver" awaits review.
            {"name": "António Ramos", "roles": ["RecruiterOrIntermediary"],
             "values_to_review": [{"field": "roles", "was": "harbourer"}], "nationality": "PT",
             "custody": "pre_trial_detention",
             "is_organised_crime": True,
             "charges": [("Penal Code art. 160", "trafficking", ["ForcedLabour"]),
                         ("Penal Code art. 256", "documents", [])]},
        ],
        "stages": [Case.Stage.INVESTIGATION, Case.Stage.CHARGING, Case.Stage.PRE_TRIAL], "days_in_stage": 200,
        "agencies": [("pt-police", R.INVESTIGATING), ("pt-prosecution", R.PROSECUTING), ("pt-court", R.COURT),
                     ("pt-ngo", R.SUPPORTING), ("pt-focal", R.COORDINATING)],
        "team": [("investigator", T.LEAD_INVESTIGATOR), ("prosecutor", T.PROSECUTOR),
                 ("caseworker", T.NGO_CASEWORKER), ("judge", T.JUDGE)],
        "victims": [
            ("V-DM7K2QXP", L.VICTIM_WITNESS, dict(status="identified", sex="Masculine", age_group="adult", nationality="BR"),
             dict(given_names="João", family_name="Silva", salutation="Mr", email="joao.silva@example.net",
                  mobile_phone="+351 900 000 001", contact="Signal, same number",
                  date_of_birth=datetime.date(1994, 5, 17), mailing_street="Rua das Flores 12, 3.º dto.",
                  mailing_city="Lisboa", mailing_postal_code="1200-999", mailing_state="Lisboa district",
                  mailing_country="PT", shelter_location="Shelter A (address held by Safe Harbour)"), ["pt-ngo"]),
            ("V-DM4HN8TB", L.COMPLAINANT, dict(status="presumed", sex="Feminine", age_group="adult", nationality="BR"),
             dict(given_names="Maria", family_name="Santos", shelter_location="Shelter B"), ["pt-ngo"]),
        ],
    },
    {
        "reference": "PT-LIS-2026-0002",
        "title": "Sexual exploitation with a public official involved",
        "jurisdiction": "pt", "origin": "victim_complaint", "exploitation_forms": ["SexualExploitation"],
        "investigation_summary": "A municipal officer is suspected of issuing false permits.",
        "defendants": [
            {"name": "Municipal licensing officer (name withheld)", "roles": ["Facilitator"], "nationality": "PT",
             "is_public_official": True, "official_position": "Licensing officer", "charges": []},
        ],
        "stages": [Case.Stage.INVESTIGATION], "days_in_stage": 40,
        "agencies": [("pt-police", R.INVESTIGATING), ("pt-prosecution", R.PROSECUTING)],
        "team": [("prosecutor", T.PROSECUTOR)],
        "victims": [
            ("V-DM9RWC3F", L.VICTIM_WITNESS, dict(status="identified", sex="Feminine", age_group="adult", nationality="RO"),
             dict(given_names="Elena", family_name="Popescu"), []),
        ],
    },
    {
        "reference": "PT-LIS-2026-0003",
        "title": "Forced begging: children on the metro",
        "jurisdiction": "pt", "priority": Case.Priority.CHILD, "origin": "ngo_referral",
        "exploitation_forms": ["ForcedBegging"],
        "investigation_summary": "Two adults seen collecting money from the children each evening.",
        "agencies": [("pt-police", R.INVESTIGATING), ("pt-prosecution", R.PROSECUTING)],
        "team": [("investigator", T.LEAD_INVESTIGATOR)],
        "exclude": [("supervisor", "Declared a family connection to a suspect.")],
        "victims": [
            ("V-DM2PLX6G", L.NOT_TESTIFYING, dict(status="presumed", sex="Masculine", age_group="in_doubt", nationality="BG"),
             dict(given_names="Nikolai", family_name="", shelter_location="Children's home (Safe Harbour)"),
             ["pt-ngo"]),
        ],
    },
    {
        "reference": "BR-SP-2026-0001",
        "title": "Garment workshop: forced labour",
        "jurisdiction": "br", "exploitation_forms": ["ForcedLabour"], "stages": [Case.Stage.INVESTIGATION],
        "investigation_summary": "Workshop behind a retail front; debts recorded in a notebook.",
        "agencies": [("br-police", R.INVESTIGATING), ("br-ngo", R.SUPPORTING)],
        "team": [("investigator.br", T.LEAD_INVESTIGATOR), ("caseworker.br", T.NGO_CASEWORKER)],
        "victims": [
            ("V-DM8VZS5J", L.VICTIM_WITNESS, dict(status="identified", sex="Feminine", age_group="adult", nationality="BO"),
             dict(given_names="Rosa", family_name="Quispe", shelter_location="Casa Acolhida, unit 2"), ["br-ngo"]),
        ],
    },
]

# A victim with no case, recorded by the labour inspector at first contact.
UNLINKED_VICTIMS = [
    ("V-DM3TQF7C", "frontline", dict(status="presumed", sex="Masculine", age_group="adult", nationality="NP"),
     dict(given_names="Ram", family_name="Thapa", contact="via Safe Harbour", mobile_phone="+351 900 000 006",
          mailing_street="Travessa do Fala-Só 4", mailing_city="Lisboa", mailing_postal_code="1250-999",
          mailing_country="PT"), ["pt-ngo"]),
]


def system_administrators():
    """Model permissions for running the system: agencies, users, training, the referral
    directory, courtrooms, the deadline sweep's status and resetting lost authenticators. No
    case content."""
    group, _created = Group.objects.get_or_create(name="role:system-administrators")
    group.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label="accounts",
              content_type__model__in=["agency", "jurisdiction", "user", "trainingrecord"])
            | Q(content_type__app_label="referrals", content_type__model="serviceprovider")
            | Q(content_type__app_label="hearings", content_type__model="courtroom")
            # The deadline sweep's status page (no case content).
            | Q(content_type__app_label="deadlines", content_type__model__in=["sweeprun", "sweepfailure"],
                codename__startswith="view_")
            # Resetting a lost authenticator: see and delete second-factor devices, never add one.
            | Q(content_type__app_label__in=["otp_totp", "otp_static"],
                codename__regex=r"^(view|delete)_(totp|static)device$")
        )
    )
    return group


class Command(BaseCommand):
    help = "Load demo agencies, users (one per function), cases and victims. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        jurisdictions = {
            "pt": Jurisdiction.objects.get_or_create(country="PT", name="Lisbon judicial district")[0],
            "br": Jurisdiction.objects.get_or_create(country="BR", name="São Paulo state")[0],
        }
        agencies = {}
        for key, (name, kind, country) in AGENCIES.items():
            agencies[key] = Agency.objects.get_or_create(
                country=country, name=name,
                defaults={"kind": kind, "jurisdiction": jurisdictions[country.lower()]},
            )[0]
        users = {}
        for username, (first, last, agency_key, functions, staff) in USERS.items():
            user, _created = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.org"
            user.agency, user.functions = agencies[agency_key], [str(f) for f in functions]
            user.is_staff, user.is_superuser = staff, False
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
            if staff:
                user.groups.add(system_administrators())
            self._authenticator(user)
            users[username] = user
        for username, course, area in [
            ("investigator", "Investigating trafficking in persons", "trafficking"),
            ("prosecutor", "Victim-centred prosecution of trafficking cases", "prosecution"),
            ("judge", "Adjudicating trafficking cases", "adjudication"),
            ("caseworker", "Trauma-informed victim support", "victim_centred"),
        ]:
            TrainingRecord.objects.get_or_create(
                user=users[username], course=course,
                defaults={"area": area, "provider": "UNODC", "completed_on": datetime.date(2025, 3, 14)},
            )

        for spec in CASES:
            if Case.objects.filter(reference=spec["reference"]).exists():
                continue
            lead = users[spec["team"][0][0]]
            case = case_services.open_case(
                actor=lead,
                agencies=[(agencies[key], role) for key, role in spec["agencies"]],
                reference=spec["reference"], title=spec["title"], jurisdiction=jurisdictions[spec["jurisdiction"]],
                priority=spec.get("priority", Case.Priority.NORMAL), court=agencies.get(spec.get("court")),
                is_transnational=spec.get("is_transnational", False), origin=spec.get("origin", ""),
                investigation_type=spec.get("investigation_type", ""),
                exploitation_forms=spec.get("exploitation_forms", []),
                countries_of_origin=spec.get("countries_of_origin", []),
                countries_of_destination=spec.get("countries_of_destination", []),
                investigation_summary=spec["investigation_summary"],
            )
            for username, role in spec["team"]:
                case_services.assign(case, users[username], role)
            for fields in spec.get("defendants", []):
                fields = dict(fields)
                charges = fields.pop("charges")
                defendant = case_services.save_defendant(Defendant(case=case, **fields))
                for statute, offence, forms in charges:
                    Charge.objects.create(defendant=defendant, statute_reference=statute, offence=offence,
                                          exploitation_forms=forms, acts=["recruitment"], charged_on=datetime.date(2026, 6, 1))
            mover = next((users[u] for u, role in spec["team"] if role == T.PROSECUTOR), lead)
            for stage in spec.get("stages", []):
                case = lifecycle.move(case, stage, actor=mover if stage != Case.Stage.INVESTIGATION else lead)
            if spec.get("days_in_stage"):
                # So the dashboards have something to show: the case has waited this long.
                case.stage_entered_at = timezone.now() - datetime.timedelta(days=spec["days_in_stage"])
                case.save()
            for username, reason in spec.get("exclude", []):
                case_services.exclude_from_case(case, users[username], reason=reason, actor=lead)
            for code, link_role, fields, identity, supporters in spec["victims"]:
                victim = self._victim(code, lead, fields, identity, supporters, agencies)
                victim_services.link_to_case(victim, case, link_role)

        for code, recorder, fields, identity, supporters in UNLINKED_VICTIMS:
            self._victim(code, users[recorder], fields, identity, supporters, agencies)
        if not CounsellingNote.objects.filter(victim__code=VICTIM_V2).exists():
            self._victim_care(users, agencies, jurisdictions)
        self._referrals(users, agencies)
        self._court_calendar(users, agencies)
        self._coordination_world(agencies, jurisdictions)

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        if settings.DEMO_TOTP_KEY:
            key = secret(TOTPDevice(key=settings.DEMO_TOTP_KEY))
            self.stdout.write("Those who may see victims' identities then give a second factor: the page shows a demo "
                              f"account's current code (or add the demo key {key} to an authenticator app).")
        for username, (_first, _last, agency_key, functions, _staff) in USERS.items():
            labels = ", ".join(str(Function(f).label) for f in functions)
            self.stdout.write(f"  {username:<16} {labels:<22} {AGENCIES[agency_key][0]}")

    @staticmethod
    def _authenticator(user):
        """Demo identity readers get an authenticator with the public demo key (settings.
        DEMO_TOTP_KEY), so the two-factor page can show them their code; without that key they
        set one up at first sign-in like anyone."""
        if not settings.DEMO_TOTP_KEY or not two_factor.required(user):
            return
        TOTPDevice.objects.update_or_create(
            user=user, name="Demo authenticator", defaults={"key": settings.DEMO_TOTP_KEY, "confirmed": True})

    def _victim_care(self, users, agencies, jurisdictions):
        """What the victims' files hold beyond first contact, so every section has something."""
        caseworker, prosecutor = users["caseworker"], users["prosecutor"]
        v2, v4 = (Victim.objects.get(code=code) for code in (VICTIM_V2, "V-DM2PLX6G"))
        victim_services.update_victim(
            v2, languages=["pt", "es"], indicators=["documents_withheld", "debt", "no_or_low_pay", "lives_at_workplace"],
            exploitation_forms=["ForcedLabour"], forced_labour_industries=["A_AgricultureForestryAndFishing"],
            methods_of_control=["DebtBondage", "WithholdsDocuments"],
            recruitment_lures=["JobOffer"], identification_channel="ngo_drop_in", recruitment_country="BR",
            recruitment_place="Governador Valadares, Minas Gerais", exploitation_country="PT",
            exploitation_place="Odemira, Alentejo",
            # Recorded before the HTCDS vocabularies: "through family or friends" awaits review.
            values_to_review=[{"field": "recruitment", "was": "family"}])
        victim_services.give_consent(v2, actor=caseworker, purpose=Consent.Purpose.DATA_PROCESSING, informed=True,
                                     given_on=datetime.date(2026, 3, 2))
        for kind in (AssistanceService.Kind.SHELTER, AssistanceService.Kind.PSYCHOLOGICAL):
            victim_services.add_service(v2, kind=kind, provider=agencies["pt-ngo"], started_on=datetime.date(2026, 3, 2))
        CooperationWithAuthorities.objects.create(victim=v2, status=CooperationWithAuthorities.Status.COOPERATING,
                                                  since=datetime.date(2026, 4, 1))
        victim_services.start_reflection_period(v2, jurisdiction=jurisdictions["pt"],
                                                started_on=datetime.date(2026, 3, 2), granted_by="Immigration service")
        ResidencePermit.objects.create(victim=v2, kind=ResidencePermit.Kind.VICTIM, status=ResidencePermit.Status.GRANTED,
                                       issued_on=datetime.date(2026, 4, 15), expires_on=datetime.date(2027, 4, 15))
        assessment = RiskAssessment.objects.create(
            victim=v2, assessed_on=datetime.date(2026, 3, 5), level=RiskAssessment.Level.HIGH,
            threats_to_victim="Recruiter has the victim's phone number.",
            threats_to_relatives="Recruiter knows where the victim's mother lives.",
            limits_of_protection_explained=True, completed=True, assessed_by=caseworker, agency=agencies["pt-ngo"])
        SafetyPlan.objects.create(victim=v2, risk_assessment=assessment, measures="New phone; shelter address withheld.",
                                  agreed_on=datetime.date(2026, 3, 6), review_on=datetime.date(2026, 12, 1))
        ProtectedRelative.objects.create(victim=v2, name="Ana Santos", relationship="mother", country="BR",
                                         threat="Visited by the recruiter", protection_measures="Consulate informed")
        CounsellingNote.objects.create(victim=v2, author=caseworker, agency=agencies["pt-ngo"],
                                       text="Sleeping better; anxious about testifying in front of the recruiter.")
        ParticipationEntry.objects.create(
            victim=v2, case=Case.objects.get(reference="PT-LIS-2026-0001"), kind=ParticipationEntry.Kind.NOTICE,
            notice_about=ParticipationEntry.NoticeAbout.STAGE_CHANGE, stage=Case.Stage.PRE_TRIAL,
            channel=ParticipationEntry.Channel.VIA_NGO, summary="Told the case went to the court.",
            recorded_by=prosecutor)
        # The child begging on the metro arrived with an adult who says he is an uncle.
        victim_services.update_victim(v4, has_accompanying_adult=True, estimated_age=13)
        victim_services.update_identity(v4, accompanying_adult="Man stating he is the uncle",
                                        guardian="Lisbon Family Court, appointed guardian")
        # Maria was charged over the false passport the recruiters gave her: non-criminalisation.
        c1 = Case.objects.get(reference="PT-LIS-2026-0001")
        defendant = case_services.save_defendant(Defendant(case=c1, name="Maria Santos",
                                                           victim=v2, nationality="BR"))
        Charge.objects.create(defendant=defendant, statute_reference="Penal Code art. 256", offence="documents",
                              charged_on=datetime.date(2026, 6, 1))

    def _referrals(self, users, agencies):
        """The referral directory, and the labour inspector's referral of the man they found on
        a construction site to Safe Harbour, accepted and under way."""
        for key, fields in DIRECTORY.items():
            ServiceProvider.objects.update_or_create(agency=agencies[key], defaults=fields)
        ram = Victim.objects.get(code="V-DM3TQF7C")
        if Referral.objects.filter(victim=ram).exists():
            return
        inspector, caseworker = users["frontline"], users["caseworker"]
        victim_services.give_consent(ram, actor=inspector, purpose=Consent.Purpose.REFERRAL,
                                     agency=agencies["pt-ngo"], informed=True)
        referral = referral_services.send_referral(
            ram, actor=inspector, to_agency=agencies["pt-ngo"], services=["shelter", "legal_aid", "interpretation"],
            urgency=Referral.Urgency.URGENT, note="Found at a construction site; speaks Nepali and some English.")
        referral = referral_services.move(referral, "accept", actor=caseworker)
        referral_services.move(referral, "start", actor=caseworker)

    def _court_calendar(self, users, agencies):
        """Courtrooms, the judge's leave, Operation Harvest's hearings (one adjourned at the
        defence's request), its witnesses' special measures, Maria's no-contact order and the
        case's deadlines. Dates are relative to today so the calendar always has something."""
        court = agencies["pt-court"]
        if Courtroom.objects.filter(court=court).exists():
            return
        room1 = Courtroom.objects.create(court=court, name="Room 1", has_video_link=True, has_screen=True,
                                         has_safe_waiting_room=True, has_separate_entrance=True)
        Courtroom.objects.create(court=court, name="Room 2")
        today = timezone.localdate()
        judge, prosecutor, clerk = users["judge"], users["prosecutor"], users["clerk"]
        JudgeUnavailability.objects.create(judge=judge, starts_on=today + datetime.timedelta(days=30),
                                           ends_on=today + datetime.timedelta(days=37), reason="Annual leave")
        c1 = Case.objects.get(reference="PT-LIS-2026-0001")
        v1, v2 = Victim.objects.get(code="V-DM7K2QXP"), Victim.objects.get(code=VICTIM_V2)

        def at(days, hour, minute=0):
            day = today + datetime.timedelta(days=days)
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

        first = hearing_services.schedule(Hearing(
            case=c1, kind=Hearing.Kind.PRELIMINARY, court=court, courtroom=room1, starts_at=at(-20, 10),
            duration_minutes=90, judge=judge, prosecutor=prosecutor), actor=clerk)
        _first, trial = hearing_services.adjourn(
            first, actor=judge, version=first.version, requested_by="defence",
            reason="Defence counsel newly appointed and asked for time to prepare.", new_starts_at=at(7, 9, 30))
        trial.kind, trial.duration_minutes = Hearing.Kind.TRIAL_DAY, 240
        trial.video_link = "https://video.justice.example.pt/lisbon-room-1"
        trial = hearing_services.update(trial, actor=prosecutor, version=trial.version)
        hearing_services.save_witness(HearingWitness(hearing=trial, victim=v1, appearance="in_person",
                                                     interpreter_language="", interpreter_booked=False), actor=prosecutor)
        maria = hearing_services.save_witness(HearingWitness(
            hearing=trial, victim=v2, appearance="video_link", interpreter_language="Spanish", interpreter_booked=True),
            actor=prosecutor)
        for measure, decision in ((SpecialMeasure.Measure.VIDEO_LINK, SpecialMeasure.Decision.GRANTED),
                                  (SpecialMeasure.Measure.SERVICE_PROVIDER, SpecialMeasure.Decision.PENDING)):
            hearing_services.save_measure(SpecialMeasure(
                witness=maria, measure=measure, requested_by="prosecution", requested_on=today - datetime.timedelta(days=10),
                defence_heard=decision != SpecialMeasure.Decision.PENDING, decision=decision,
                decided_on=today - datetime.timedelta(days=3) if decision != SpecialMeasure.Decision.PENDING else None,
                decision_notes="Fear of the recruiter; the psychologist's report supports it."
                if decision != SpecialMeasure.Decision.PENDING else ""), actor=judge)
        ramos = Defendant.objects.get(case=c1, name="António Ramos")
        ramos.detention_started_on = today - datetime.timedelta(days=100)
        ramos.detention_limit_on = today + datetime.timedelta(days=80)
        case_services.save_defendant(ramos)
        order_services.record_order(ProtectionOrder(
            victim=v2, case=c1, restrained_defendant=ramos, kind=ProtectionOrder.Kind.NO_CONTACT, issuing_court=court,
            court_reference="1234/26.0TLSB", issued_on=today - datetime.timedelta(days=60),
            effective_from=today - datetime.timedelta(days=60), expires_on=today + datetime.timedelta(days=120),
            next_review_on=today + datetime.timedelta(days=14),
            conditions="No contact with the victim or her mother by any means; stay 500 m away from them."),
            actor=judge, relatives=list(ProtectedRelative.objects.filter(victim=v2)))
        deadline_services.add(Deadline(
            kind=Deadline.Kind.DISCLOSURE, case=c1, title="Disclose the wage records to the defence",
            due_at=at(3, 17), responsible_user=prosecutor, responsible_agency=agencies["pt-prosecution"]),
            actor=prosecutor)

    def _coordination_world(self, agencies, jurisdictions):
        """What the focal point's coordination report lists beyond Operation Harvest [SPEC 2.8]:
        two transnational cases of the Lisbon district handled by agencies no demo login belongs
        to (the immigration service investigating, the Sintra prosecution and court, Rota Segura
        supporting the victims), with cooperation requests (one overdue, one not yet screened),
        referrals answered over hours and days [SPEC 2.4], a deposition with early testimony and
        a witness abroad, a no-contact order that was violated [SPEC 2.6], coordination
        meetings, and a missed and an extended deadline [SPEC 2.5]. The coordination office
        takes no part in these cases: it reaches them as every unrestricted case of its country.
        Their staff never sign in. Dates are relative to today."""
        staff = {}
        for username, (first, last, agency_key, function) in BACKGROUND_STAFF.items():
            user, created = User.objects.get_or_create(username=username, defaults=dict(
                first_name=first, last_name=last, email=f"{username}@example.org", agency=agencies[agency_key],
                functions=[str(function)]))
            if created:
                user.set_unusable_password()
                user.save()
            staff[function] = user
        if Case.objects.filter(reference="PT-SNT-2026-0001").exists():
            return
        investigator, prosecutor = staff[Function.INVESTIGATOR], staff[Function.PROSECUTOR]
        judge, caseworker = staff[Function.JUDGE], staff[Function.CASEWORKER]
        immigration, office, court, ngo = (agencies[key] for key in (
            "pt-immigration", "pt-prosecution-sintra", "pt-court-sintra", "pt-ngo-rota"))
        today = timezone.localdate()

        def day(days):
            return today + datetime.timedelta(days=days)

        def at(days, hour, minute=0):
            return timezone.make_aware(datetime.datetime.combine(day(days), datetime.time(hour, minute)))

        def new_case(reference, opened, stages, days_in_stage, defendants, court_agency=None, **fields):
            parts = [(immigration, R.INVESTIGATING), (office, R.PROSECUTING), (ngo, R.SUPPORTING)]
            team = [(prosecutor, T.PROSECUTOR), (caseworker, T.NGO_CASEWORKER)]
            if court_agency is not None:
                parts.append((court_agency, R.COURT))
                team.append((judge, T.JUDGE))
            case = case_services.open_case(
                actor=investigator, agencies=parts, reference=reference, jurisdiction=jurisdictions["pt"],
                court=court_agency, is_transnational=True, opened_on=day(-opened), **fields)
            for user, role in team:
                case_services.assign(case, user, role, started_on=day(-opened))
            saved = {}
            for name, details, charges in defendants:
                saved[name] = case_services.save_defendant(Defendant(case=case, name=name, **details))
                for statute, offence, forms, status in charges:
                    Charge.objects.create(defendant=saved[name], statute_reference=statute, offence=offence,
                                          exploitation_forms=forms, acts=["recruitment", "transportation"],
                                          status=status, charged_on=day(-days_in_stage) if status == "filed" else None)
            for stage in stages:
                case = lifecycle.move(case, stage, actor=prosecutor if stage == Case.Stage.PRE_TRIAL else investigator)
            case.stage_entered_at = timezone.now() - datetime.timedelta(days=days_in_stage)
            case.save()
            return case, saved

        def new_victim(case, code, fields, identity, presumed, identified=None):
            """Recorded by the immigration inspector; presumed, then identified, on the days given."""
            victim = victim_services.record_victim(actor=investigator, identity=identity, code=code, **fields)
            victim_services.link_to_case(victim, case, L.VICTIM_WITNESS)
            victim_services.set_status(
                victim, Victim.Status.PRESUMED, actor=investigator, authority=str(immigration),
                criteria="Indicators observed at first contact: "
                + ", ".join(str(Indicator(i).label).lower() for i in fields["indicators"]),
                channel=fields["identification_channel"], decided_on=day(presumed))
            if identified is not None:
                victim_services.set_status(victim, Victim.Status.IDENTIFIED, actor=prosecutor, authority=str(office),
                                           criteria="Statements corroborated by the investigation.",
                                           decided_on=day(identified))
            return victim

        def refer(victim, urgency, services, sent, accepted, first_service=None, note=""):
            """A referral to Rota Segura through the services, then given the times its steps
            really took (sent, accepted, first service), with its events, notice and answer
            deadline in step; Rota Segura supports the victim from then on."""
            victim_services.give_consent(victim, actor=investigator, purpose=Consent.Purpose.REFERRAL, agency=ngo,
                                         informed=True, given_on=timezone.localtime(sent).date())
            referral = referral_services.send_referral(victim, actor=investigator, to_agency=ngo, services=services,
                                                       urgency=urgency, note=note)
            referral = referral_services.move(referral, "accept", actor=caseworker)
            if first_service is not None:
                referral = referral_services.move(referral, "start", actor=caseworker)
            referral.sent_at = sent
            referral.response_due_at = sent + datetime.timedelta(hours=settings.REFERRAL_RESPONSE_HOURS[urgency])
            referral.accepted_at = referral.assigned_at = accepted
            referral.first_service_at = first_service
            referral.save()
            stamps = {Referral.Status.SENT: sent, Referral.Status.ACCEPTED: accepted,
                      Referral.Status.IN_PROGRESS: first_service}
            for event in referral.events.all():
                event.at = stamps[event.to_status]
                event.save()
            for notice in referral.notices.all():
                notice.created_at, notice.emailed_at, notice.read_at = sent, sent, accepted
                notice.save()
            for answer in Deadline.objects.filter(referral=referral):
                answer.created_at, answer.due_at, answer.closed_at = sent, referral.response_due_at, accepted
                answer.save()
            victim_services.add_supporting_agency(victim, ngo)
            return referral

        def cooperation(case, **fields):
            request = CR(case=case, direction=CR.Direction.OUTGOING, requesting_state="PT", **fields)
            request.full_clean()
            request.save()
            return request

        def meeting(case, held, attending, decisions, next_meeting):
            minutes = CoordinationMeeting(case=case, held_on=day(held), decisions=decisions,
                                          next_meeting_on=day(next_meeting), recorded_by=prosecutor)
            minutes.full_clean()
            minutes.save()
            minutes.agencies.set(attending)
            return minutes

        # 1. Recruited in Romania with false hospitality jobs; exploited in flats near Sintra.
        lighthouse, defendants = new_case(
            "PT-SNT-2026-0001", opened=70, stages=[Case.Stage.INVESTIGATION, Case.Stage.CHARGING, Case.Stage.PRE_TRIAL],
            days_in_stage=25, court_agency=court,
            title="Operation Lighthouse: sexual exploitation after false hotel job offers",
            origin="border_control", investigation_type="reactive", exploitation_forms=["SexualExploitation"],
            countries_of_origin=["RO"], countries_of_transit=["ES"], countries_of_destination=["PT"],
            investigation_summary="Two women stopped at the airport with return tickets bought by a third person; "
                                  "the flats' rental contracts and the transfers abroad were traced.",
            defendants=[
                ("Victor Dumitru", dict(roles=["RecruiterOrIntermediary", "ControlledIndividual"], nationality="RO", custody="bail",
                                        bail_conditions="Report to the police twice a week; passport surrendered."),
                 [("Penal Code art. 160", "trafficking", ["SexualExploitation"], "filed")]),
                ("Sérgio Matias", dict(roles=["HarbouredIndividual"], nationality="PT"),
                 [("Penal Code art. 160", "trafficking", ["SexualExploitation"], "filed")]),
            ])
        exploitation = dict(sex="Feminine", age_group="adult", nationality="RO", languages=["ro", "en"],
                            exploitation_forms=["SexualExploitation"], sex_exploitation_types=["PrivateSexualServices"],
                            recruitment=["ThroughAnOnlineAdvertisement"], recruitment_lures=["JobOffer"],
                            indicators=["deceived", "documents_withheld", "earnings_taken", "moved_between_places"],
                            identification_channel="border_control")
        andreea = new_victim(lighthouse, "V-DM5RBT2W", exploitation, dict(
            given_names="Andreea", family_name="Ionescu", date_of_birth=datetime.date(1999, 2, 11),
            mailing_street="Rua da Liberdade 45", mailing_city="Sintra", mailing_country="PT",
            contact="via Rota Segura",
            shelter_location="Rota Segura shelter (address held by the association)"), presumed=-58, identified=-30)
        ioana = new_victim(lighthouse, "V-DM6JXN4C", exploitation, dict(
            given_names="Ioana", family_name="Marin", date_of_birth=datetime.date(2001, 8, 23),
            mailing_street="Strada Florilor 8", mailing_city="Iași", mailing_country="RO",
            mobile_phone="+40 700 000 002"), presumed=-58, identified=-30)
        refer(andreea, Referral.Urgency.URGENT, ["shelter", "psychological", "legal_aid", "interpretation"],
              sent=at(-55, 9, 40), accepted=at(-55, 15, 10), first_service=at(-54, 17, 30),
              note="Stopped at the airport; speaks Romanian and some English. Needs a safe place tonight.")
        victim_services.add_service(andreea, kind=AssistanceService.Kind.SHELTER, provider=ngo, started_on=day(-54))
        cooperation(lighthouse, kind=CR.Kind.MLA, requested_state="RO", status=CR.Status.SENT,
                    central_authority="Romanian Ministry of Justice, Directorate for International Law and "
                                      "Judicial Cooperation",
                    sent_on=day(-40), response_due_on=day(-10), screened_on=day(-42),
                    screening_notes="Evidence only (bank records, phone subscribers): no risk found.")
        cooperation(lighthouse, kind=CR.Kind.VIDEO_TESTIMONY, requested_state="RO", status=CR.Status.ACKNOWLEDGED,
                    central_authority="Romanian Ministry of Justice", sent_on=day(-20), response_due_on=day(10),
                    screened_on=day(-21),
                    screening_notes="Testimony of a victim-witness now in Romania: no risk found.")
        # The deposition: Andreea testifies early, before she goes home; Ioana from Romania.
        room = Courtroom.objects.create(court=court, name="Room A", has_video_link=True, has_screen=True,
                                        has_safe_waiting_room=True)
        offset = 18
        while day(offset).weekday() >= 5:
            offset += 1
        deposition = hearing_services.schedule(Hearing(
            case=lighthouse, kind=Hearing.Kind.DEPOSITION, court=court, courtroom=room, starts_at=at(offset, 10),
            duration_minutes=180, judge=judge, prosecutor=prosecutor,
            video_link="https://video.justice.example.pt/sintra-room-a"), actor=judge)
        early = hearing_services.save_witness(HearingWitness(
            hearing=deposition, victim=andreea, appearance="in_person", interpreter_language="Romanian",
            interpreter_booked=True, early_testimony=True, leaves_country_on=day(offset + 12)), actor=prosecutor)
        abroad = hearing_services.save_witness(HearingWitness(
            hearing=deposition, victim=ioana, appearance="video_link", interpreter_language="Romanian",
            interpreter_booked=True, testifies_from="RO"), actor=prosecutor)
        for witness, measure, decided in ((early, SpecialMeasure.Measure.SAFE_WAITING_ROOM, True),
                                          (early, SpecialMeasure.Measure.SCREEN, False),
                                          (abroad, SpecialMeasure.Measure.VIDEO_LINK, True)):
            hearing_services.save_measure(SpecialMeasure(
                witness=witness, measure=measure, requested_by="prosecution", requested_on=day(-9),
                defence_heard=decided, decision="granted" if decided else "pending",
                decided_on=day(-4) if decided else None,
                decision_notes="The recruiter is at liberty on bail." if decided else ""), actor=judge)
        order = order_services.record_order(ProtectionOrder(
            victim=andreea, case=lighthouse, restrained_defendant=defendants["Victor Dumitru"],
            kind=ProtectionOrder.Kind.NO_CONTACT, issuing_court=court, court_reference="512/26.3JDSNT",
            issued_on=day(-50), effective_from=day(-50),
            conditions="Until the judgment is final: no contact with the victim by any means, through others or "
                       "online; stay 300 m away from her."), actor=judge)
        order_services.report_violation(Violation(
            order=order, occurred_at=at(-1, 21, 40), escalation=Violation.Escalation.PROSECUTOR,
            description="Voice messages from a new number asking her not to testify.",
            action_taken=Violation.Action.WARNING, action_details="The court warned him; revoking bail is asked for."),
            actor=caseworker)
        # Rota Segura re-assessed the risk the same day, as the violation calls for.
        RiskAssessment.objects.create(
            victim=andreea, assessed_on=today, level=RiskAssessment.Level.HIGH,
            threats_to_victim="The recruiter contacted her in breach of the order and knows her family's town.",
            limits_of_protection_explained=True, completed=True, assessed_by=caseworker, agency=ngo)
        meeting(lighthouse, -12, [immigration, office, ngo, agencies["pt-focal"]],
                "Early testimony to be heard before the victim's return home; testimony from Romania by video link "
                "through the central authority; interpreters booked by the shelter; the prosecution chases the "
                "overdue bank-records request.", next_meeting=16)
        disclosure = deadline_services.add(Deadline(
            kind=Deadline.Kind.DISCLOSURE, case=lighthouse, title="Disclose the phone-extraction report to the defence",
            due_at=deadline_services.end_of_day(today), responsible_user=prosecutor, responsible_agency=office),
            actor=prosecutor)
        deadline_services.extend(disclosure, actor=prosecutor, new_due_at=at(21, 17),
                                 reason="The bank records asked of Romania have not arrived; the court allowed three "
                                        "more weeks.")

        # 2. Nepali cooks recruited through an agency and held by debt in restaurant kitchens.
        lantern, _defendants = new_case(
            "PT-SNT-2026-0002", opened=20, stages=[Case.Stage.INVESTIGATION, Case.Stage.CHARGING], days_in_stage=5,
            title="Operation Lantern: forced labour in restaurant kitchens",
            origin="inspection", investigation_type="reactive", exploitation_forms=["ForcedLabour"],
            countries_of_origin=["NP"], countries_of_transit=["AE"], countries_of_destination=["PT"],
            investigation_summary="Residence-permit checks found cooks sleeping in a storeroom; recruitment fees "
                                  "paid in Kathmandu are deducted from their wages.",
            defendants=[
                ("Sabor do Vale Restauração Lda.", dict(kind="legal", roles=["Exploiter"], nationality="PT"),
                 [("Penal Code art. 160", "trafficking", ["ForcedLabour"], "proposed")]),
                ("Prakash Adhikari", dict(roles=["RecruiterOrIntermediary"], nationality="NP", custody="fugitive"),
                 [("Penal Code art. 160", "trafficking", ["ForcedLabour"], "proposed")]),
            ])
        labour = dict(sex="Masculine", age_group="adult", nationality="NP", languages=["ne", "en"],
                      exploitation_forms=["ForcedLabour"], recruitment=["AtAPlaceOfBusiness"], recruitment_lures=["JobOffer"],
                      indicators=["debt", "no_or_low_pay", "excessive_hours", "lives_at_workplace"],
                      identification_channel="inspection")
        bikash = new_victim(lantern, "V-DM9GKS3L", labour, dict(
            given_names="Bikash", family_name="Gurung", date_of_birth=datetime.date(1990, 11, 2),
            mailing_street="Rua do Benformoso 101", mailing_city="Lisboa", mailing_country="PT",
            mobile_phone="+351 900 000 003",
            shelter_location="Rota Segura shelter (address held by the association)"), presumed=-12)
        suman = new_victim(lantern, "V-DM2WQH8R", labour, dict(
            given_names="Suman", family_name="Rai", date_of_birth=datetime.date(1996, 4, 19),
            mailing_street="Travessa do Jordão 7", mailing_city="Lisboa", mailing_country="PT",
            mobile_phone="+351 900 000 004"), presumed=-12)
        refer(bikash, Referral.Urgency.URGENT, ["shelter", "medical", "legal_aid", "interpretation"],
              sent=at(-9, 15, 20), accepted=at(-9, 18, 5), first_service=at(-8, 13, 0),
              note="Burns on both hands from the kitchen; speaks Nepali and some English.")
        victim_services.add_service(bikash, kind=AssistanceService.Kind.SHELTER, provider=ngo, started_on=day(-8))
        refer(suman, Referral.Urgency.ROUTINE, ["legal_aid", "interpretation"],
              sent=at(-9, 15, 35), accepted=at(-8, 22, 40),
              note="Staying with a relative; wants advice on the recruitment debt and his permit.")
        cooperation(lantern, kind=CR.Kind.POLICE, requested_state="NP", status=CR.Status.SENT,
                    central_authority="Nepal Police, Central Investigation Bureau (through Interpol)",
                    sent_on=day(-6), response_due_on=day(24))
        meeting(lantern, -4, [immigration, office, ngo],
                "The shelter keeps both workers; labour inspection of the company's other kitchens to be asked for; "
                "the charging decision waits for the answer from Nepal about the recruitment agency.", next_meeting=10)
        deadline_services.add(Deadline(
            kind=Deadline.Kind.INDICTMENT, case=lantern, title="Decide whether to indict in the restaurant-kitchens case",
            due_at=at(-6, 17), responsible_user=prosecutor, responsible_agency=office), actor=prosecutor)

    def _victim(self, code, actor, fields, identity, supporters, agencies):
        existing = Victim.objects.filter(code=code).first()
        if existing:
            return existing
        return victim_services.record_victim(
            actor=actor, identity=identity, supporting_agencies=[agencies[k] for k in supporters], code=code, **fields
        )
