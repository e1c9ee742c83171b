"""Jurisdictions, agencies (with their groups), staff, courtrooms and the referral directory.
The demo's agencies and logins (seed_demo) are kept and take their national share."""

import datetime

from django.contrib.auth.models import Group

from accounts.functions import AgencyKind as K, Function as F
from demo.management.commands.seed_demo import AGENCIES as DEMO_AGENCIES, BACKGROUND_STAFF, USERS as DEMO_USERS
from accounts.models import Agency, Jurisdiction, User
from hearings.models import Courtroom, JudgeUnavailability
from referrals.models import ServiceProvider

from .bulk import insert
from .names import STAFF_FAMILY, STAFF_GIVEN, ascii_name

JURISDICTIONS = {
    # key: (country, name, reflection period days); "lis" is the demo's.
    "lis": ("PT", "Lisbon judicial district", 30),
    "por": ("PT", "Porto judicial district", 30),
    "coi": ("PT", "Coimbra judicial district", 30),
    "evo": ("PT", "Évora judicial district", 30),
}
# How the country's cases fall over its districts.
CASE_SHARE = {"lis": 36, "por": 30, "coi": 17, "evo": 17}

# key: (name, kind, jurisdiction, staff weight)
NATIONAL_AGENCIES = {
    "lis-psp": ("Public Security Police – Lisbon Metropolitan Command", K.POLICE, "lis", 16),
    "lis-gnr": ("National Republican Guard – Lisbon Territorial Command", K.POLICE, "lis", 10),
    "lis-prosecution-loures": ("Public Prosecution Service – Loures", K.PROSECUTION, "lis", 12),
    "lis-prosecution-cascais": ("Public Prosecution Service – Cascais", K.PROSECUTION, "lis", 10),
    "lis-court-loures": ("Loures Criminal Court", K.COURT, "lis", 10),
    "lis-court-cascais": ("Cascais Criminal Court", K.COURT, "lis", 8),
    "lis-ngo-portaberta": ("Porta Aberta Women's Shelter", K.NGO, "lis", 7),
    "lis-social": ("Social Security Institute – Lisbon Centre", K.SOCIAL_SERVICES, "lis", 4),
    "lis-legal-aid": ("Legal Aid Office – Lisbon", K.LEGAL_AID, "lis", 4),
    "lis-iom": ("International Organization for Migration – Lisbon Office", K.INTERNATIONAL, "lis", 3),
    "lis-consulate-ro": ("Consulate of Romania – Lisbon", K.CONSULAR, "lis", 2),
    "por-pj": ("Judicial Police – Porto Directorate", K.POLICE, "por", 18),
    "por-psp": ("Public Security Police – Porto Metropolitan Command", K.POLICE, "por", 12),
    "por-prosecution": ("Public Prosecution Service – Porto", K.PROSECUTION, "por", 16),
    "por-prosecution-braga": ("Public Prosecution Service – Braga", K.PROSECUTION, "por", 10),
    "por-court": ("Porto Criminal Court", K.COURT, "por", 14),
    "por-court-braga": ("Braga Criminal Court", K.COURT, "por", 9),
    "por-labour": ("Labour Conditions Authority – Porto", K.LABOUR_INSPECTORATE, "por", 8),
    "por-immigration": ("Immigration and Borders Service – Porto", K.IMMIGRATION, "por", 7),
    "por-ngo-luz": ("Luz do Norte Association", K.NGO, "por", 7),
    "por-ngo-esperanca": ("Casa da Esperança – Braga", K.NGO, "por", 5),
    "por-health": ("Porto Hospital Centre – Victim Support Unit", K.HEALTH, "por", 4),
    "por-team": ("Regional Multidisciplinary Team – North", K.COORDINATION, "por", 1),
    "coi-pj": ("Judicial Police – Coimbra Directorate", K.POLICE, "coi", 12),
    "coi-gnr": ("National Republican Guard – Coimbra Territorial Command", K.POLICE, "coi", 8),
    "coi-prosecution": ("Public Prosecution Service – Coimbra", K.PROSECUTION, "coi", 10),
    "coi-prosecution-leiria": ("Public Prosecution Service – Leiria", K.PROSECUTION, "coi", 7),
    "coi-court": ("Coimbra Criminal Court", K.COURT, "coi", 9),
    "coi-court-leiria": ("Leiria Criminal Court", K.COURT, "coi", 7),
    "coi-labour": ("Labour Conditions Authority – Coimbra", K.LABOUR_INSPECTORATE, "coi", 6),
    "coi-ngo-abrigo": ("Abrigo Centro Network", K.NGO, "coi", 6),
    "coi-team": ("Regional Multidisciplinary Team – Centre", K.COORDINATION, "coi", 1),
    "evo-pj": ("Judicial Police – Faro Directorate", K.POLICE, "evo", 12),
    "evo-gnr": ("National Republican Guard – Beja Territorial Command", K.POLICE, "evo", 10),
    "evo-prosecution": ("Public Prosecution Service – Évora", K.PROSECUTION, "evo", 9),
    "evo-prosecution-faro": ("Public Prosecution Service – Faro", K.PROSECUTION, "evo", 8),
    "evo-court": ("Évora Criminal Court", K.COURT, "evo", 8),
    "evo-court-faro": ("Faro Criminal Court", K.COURT, "evo", 7),
    "evo-labour": ("Labour Conditions Authority – Beja", K.LABOUR_INSPECTORATE, "evo", 8),
    "evo-immigration": ("Immigration and Borders Service – Faro", K.IMMIGRATION, "evo", 6),
    "evo-ngo-acolher": ("Acolher Alentejo Association", K.NGO, "evo", 6),
    "evo-team": ("Regional Multidisciplinary Team – South", K.COORDINATION, "evo", 1),
}
# The demo's Portuguese agencies that take part in national cases, with their staff weight.
DEMO_STAFF = {"pt-police": 30, "pt-labour": 8, "pt-prosecution": 24, "pt-court": 16, "pt-ngo": 10, "pt-focal": 2,
              "pt-immigration": 8, "pt-prosecution-sintra": 12, "pt-court-sintra": 10, "pt-ngo-rota": 6}

# National staff's usernames start with this.
STAFF_PREFIX = "nat."

# Functions by kind of agency: (function, share of its staff); the first is always staffed.
FUNCTIONS = {
    K.POLICE: [(F.INVESTIGATOR, 75), (F.FRONTLINE, 15), (F.SUPERVISOR, 10)],
    K.PROSECUTION: [(F.PROSECUTOR, 80), (F.SUPERVISOR, 20)],
    K.COURT: [(F.JUDGE, 45), (F.COURT_CLERK, 55)],
    K.NGO: [(F.CASEWORKER, 90), (F.SUPERVISOR, 10)],
    K.LABOUR_INSPECTORATE: [(F.FRONTLINE, 85), (F.SUPERVISOR, 15)],
    K.IMMIGRATION: [(F.INVESTIGATOR, 50), (F.FRONTLINE, 50)],
    K.COORDINATION: [(F.FOCAL_POINT, 100)],
    K.HEALTH: [(F.CASEWORKER, 100)],
    K.SOCIAL_SERVICES: [(F.CASEWORKER, 100)],
    K.LEGAL_AID: [(F.CASEWORKER, 100)],
    K.INTERNATIONAL: [(F.CASEWORKER, 100)],
    K.CONSULAR: [(F.CASEWORKER, 100)],
}
# Functions every agency of a kind has at least one of.
# (Two investigators and prosecutors: a case handed over goes to a colleague.)
REQUIRED = {K.PROSECUTION: [F.PROSECUTOR, F.PROSECUTOR, F.SUPERVISOR], K.COURT: [F.JUDGE, F.COURT_CLERK],
            K.POLICE: [F.INVESTIGATOR, F.INVESTIGATOR, F.SUPERVISOR],
            K.IMMIGRATION: [F.INVESTIGATOR, F.INVESTIGATOR, F.FRONTLINE]}
SERVICES = {
    K.NGO: ["shelter", "psychological", "legal_aid", "interpretation", "court_accompaniment", "medical"],
    K.HEALTH: ["medical", "psychological"],
    K.SOCIAL_SERVICES: ["financial", "education", "shelter"],
    K.LEGAL_AID: ["legal_aid"],
    K.INTERNATIONAL: ["other", "interpretation", "financial"],
    K.CONSULAR: ["other"],
}


def build(world, counts):
    _jurisdictions(world)
    _agencies(world)
    counts["agencies"] = len(world.agencies)
    counts["users"] = _users(world)
    counts["courtrooms"] = _courtrooms(world)
    counts["directory entries"] = _directory(world)


def _jurisdictions(world):
    missing = []
    for key, (country, name, days) in JURISDICTIONS.items():
        found = Jurisdiction.objects.filter(country=country, name=name).first()
        if found is None:
            found = Jurisdiction(country=country, name=name, reflection_period_days=days)
            missing.append(found)
        world.jurisdictions[key] = found
    insert(Jurisdiction, missing)


def _agencies(world):
    lisbon = world.jurisdictions["lis"]
    for key, (name, _kind, country) in DEMO_AGENCIES.items():
        world.agencies[key] = Agency.objects.get(country=country, name=name)
    existing = {agency.name: agency for agency in Agency.objects.filter(
        country="PT", name__in=[spec[0] for spec in NATIONAL_AGENCIES.values()])}
    new = []
    for key, spec in NATIONAL_AGENCIES.items():
        if spec[0] in existing:  # a run that stopped after this step
            world.agencies[key] = existing[spec[0]]
        else:
            new.append((key, spec))
    groups = insert(Group, [Group(name=f"agency:{world.rng.getrandbits(128):032x}") for _key in new])
    rows = [Agency(name=name, kind=kind, country="PT", jurisdiction=world.jurisdictions[place], group=group,
                   contact_email=f"{ascii_name(key)}@agency.example.org")
            for (key, (name, kind, place, _w)), group in zip(new, groups)]
    for (key, _spec), agency in zip(new, insert(Agency, rows)):
        world.agencies[key] = agency
    for key, agency in world.agencies.items():
        place = NATIONAL_AGENCIES[key][2] if key in NATIONAL_AGENCIES else (
            "lis" if agency.jurisdiction_id == lisbon.pk else None)
        world.agency_kind[agency.pk] = agency.kind
        world.agency_country[agency.pk] = agency.country.code
        world.agency_jurisdiction[agency.pk] = place
        if place and (key in NATIONAL_AGENCIES or key in DEMO_STAFF):
            world.by_place[place, agency.kind].append(agency.pk)


def _users(world):
    for username in [*DEMO_USERS, *BACKGROUND_STAFF]:
        world.demo[username] = User.objects.get(username=username)
    for user in world.demo.values():
        world.user_agency[user.pk] = user.agency_id
    existing = (User.objects.filter(username__startswith=STAFF_PREFIX).order_by("pk")
                .values_list("pk", "agency_id", "functions"))
    for pk, agency, functions in existing:  # a run that stopped after this step
        world.staff[agency][functions[0]].append(pk)
        world.user_agency[pk] = agency
    if world.staff:
        return 0
    weights = {key: spec[3] for key, spec in NATIONAL_AGENCIES.items()} | DEMO_STAFF
    wanted = max(world.sizes.users, 3 * len(weights))
    total = sum(weights.values())
    taken = set(User.objects.values_list("username", flat=True))
    rows, serial = [], 0
    for key, weight in weights.items():
        agency = world.agencies[key]
        functions = FUNCTIONS[agency.kind]
        count = max(len(REQUIRED.get(agency.kind, [None])), round(wanted * weight / total))
        chosen = list(REQUIRED.get(agency.kind, [functions[0][0]]))
        chosen += world.rng.choices([f for f, _s in functions], [s for _f, s in functions], k=count - len(chosen))
        for function in chosen:
            female = world.chance(0.55)
            given = world.rng.choice(STAFF_GIVEN[:18] if female else STAFF_GIVEN[18:])
            family = world.rng.choice(STAFF_FAMILY)
            serial += 1
            username = f"{STAFF_PREFIX}{ascii_name(given)}.{ascii_name(family)}.{serial}"
            if username in taken:
                continue
            rows.append(User(username=username, first_name=given, last_name=family, agency=agency,
                             functions=[str(function)], email=f"{username}@example.org",
                             password=f"!{world.rng.getrandbits(160):040x}", date_joined=world.now))
    for user in insert(User, rows):
        world.staff[user.agency_id][user.functions[0]].append(user.pk)
        world.user_agency[user.pk] = user.agency_id
    judges = [pk for people in world.staff.values() for pk in people.get(F.JUDGE, [])]
    leave = []
    for judge in judges:
        start = world.day(world.rng.randint(-300, 200))
        leave.append(JudgeUnavailability(judge_id=judge, starts_on=start, ends_on=start + datetime.timedelta(
            days=world.rng.randint(3, 20)), reason=world.rng.choice(["Annual leave", "Training", "Sick leave"])))
    insert(JudgeUnavailability, leave)
    return len(rows)


def _courtrooms(world):
    existing = set(Courtroom.objects.values_list("court_id", "name"))
    rows = []
    for key, agency in world.agencies.items():
        if agency.kind != K.COURT or (key not in NATIONAL_AGENCIES and key not in DEMO_STAFF):
            continue
        rooms = 6 if key == "pt-court" else world.rng.randint(3, 5)
        for number in range(1, rooms + 1):
            name = f"Room {number}" if key != "pt-court-sintra" else f"Room {'ABCDEF'[number - 1]}"
            if (agency.pk, name) in existing:
                continue
            video = world.chance(0.6)
            rows.append(Courtroom(court=agency, name=name, has_video_link=video, has_screen=world.chance(0.5),
                                  has_safe_waiting_room=world.chance(0.4), has_separate_entrance=world.chance(0.2)))
    insert(Courtroom, rows)
    for room_id, court_id in Courtroom.objects.filter(is_active=True).order_by("pk").values_list("pk", "court_id"):
        world.courtrooms[court_id].append(room_id)
    return len(rows)


def _directory(world):
    listed = set(ServiceProvider.objects.values_list("agency_id", flat=True))
    rows = []
    for key, (_name, kind, place, _w) in NATIONAL_AGENCIES.items():
        agency = world.agencies[key]
        if kind not in SERVICES or agency.pk in listed:
            continue
        rows.append(ServiceProvider(
            agency=agency, services=SERVICES[kind], languages=world.rng.sample(["pt", "en", "es", "fr", "ro", "ar"], 3),
            areas=JURISDICTIONS[place][1].replace(" judicial district", " district"),
            accepts_children=world.chance(0.5), capacity=world.rng.randint(0, 25) if kind == K.NGO else None,
            contact_point="Referral desk",
            contact_phone=f"+351 800 {world.rng.randint(100, 999)} {world.rng.randint(100, 999)}",
            contact_email=f"referrals.{ascii_name(key)}@example.org"))
    insert(ServiceProvider, rows)
    return len(rows)
