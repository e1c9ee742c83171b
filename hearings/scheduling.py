"""The scheduling rules a hearing is checked against on every save [SPEC 2.5].

Each problem is a warning the person must confirm (double bookings, an interpreter not yet
booked, a child case left waiting, early testimony set too late) or an absolute error (a judge
who is away; a victim-witness who would meet the defendant at court with no safe waiting room
[GP 17, NA VI.D.2h]). Messages never name a victim or reveal a case the person cannot see.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, ngettext

import access
from cases.models import Case, Defendant
from victims.models import VictimCaseLink

from .models import Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure

# Stages in which a case waits for the court.
COURT_STAGES = (Case.Stage.PRE_TRIAL, Case.Stage.TRIAL, Case.Stage.JUDGMENT, Case.Stage.APPEAL)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    absolute: bool = False
    about: str = ""  # what it is about (a hearing id, a witness), so a new clash asks again

    @property
    def key(self):
        return f"{self.code}:{self.about}" if self.about else self.code


def _local(dt):
    return date_format(timezone.localtime(dt), "Y-m-d H:i")


def _span(hearing):
    ends = hearing.starts_at + datetime.timedelta(minutes=hearing.duration_minutes or 0)
    return hearing.starts_at, ends


def _overlapping(hearing):
    starts, ends = _span(hearing)
    others = Hearing.objects.filter(status__in=Hearing.OCCUPYING, starts_at__lt=ends, ends_at__gt=starts)
    return others.exclude(pk=hearing.pk) if hearing.pk else others


def _describe(user, other, visible=None):
    """A clashing hearing as this user may know it: its case and place if they may see it
    (`visible`: the ids of the hearings they may see, when already known)."""
    may_see = (other.pk in visible) if visible is not None else (
        user is not None and access.can(user, "view", other))
    if may_see:
        return _("%(case)s, %(kind)s at %(place)s, %(start)s") % {
            "case": other.case.reference, "kind": other.get_kind_display(), "place": other.place,
            "start": _local(other.starts_at)}
    return _("another hearing (%(start)s)") % {"start": _local(other.starts_at)}


def check(hearing, *, user=None, witnesses=None):
    """Every problem with `hearing` (saved or not) and its witnesses (default: those saved)."""
    if hearing.starts_at is None or not hearing.duration_minutes:
        return []
    if witnesses is None:
        witnesses = list(hearing.witnesses.all()) if hearing.pk else []
    problems = []
    if hearing.status in Hearing.OCCUPYING:
        problems += _unavailable_judge(hearing, user)
        problems += _double_bookings(hearing, user)
        problems += _child_cases_waiting(hearing, user)
        problems += _victim_meets_defendant(hearing, witnesses)
    problems += _interpreters(witnesses)
    problems += _early_testimony(hearing, witnesses)
    return problems


def _unavailable_judge(hearing, user):
    """An absolute problem. Why and for how long the judge is away is for the court's staff."""
    if not hearing.judge_id:
        return []
    starts, ends = _span(hearing)
    start_day, end_day = timezone.localtime(starts).date(), timezone.localtime(ends).date()
    away = JudgeUnavailability.objects.filter(judge_id=hearing.judge_id, starts_on__lte=end_day,
                                              ends_on__gte=start_day).first()
    if away is None:
        return []
    if user is not None and not access.can(user, "view", away):
        return [Problem("judge_unavailable", _("The judge is not available then."), absolute=True,
                        about=str(away.pk))]
    return [Problem("judge_unavailable", _("The judge is not available from %(start)s to %(end)s%(why)s.") % {
        "start": away.starts_on, "end": away.ends_on, "why": f" ({away.reason})" if away.reason else ""},
        absolute=True, about=str(away.pk))]


def _double_bookings(hearing, user):
    """The prosecutor, the judge or the room already taken: one query for the clashes and one
    for which of them the user may see, however many there are."""
    checks = [(field, code, text, getattr(hearing, field)) for field, code, text in (
        ("prosecutor_id", "prosecutor_double_booked", _("The prosecutor is already in court then: %(other)s.")),
        ("judge_id", "judge_double_booked", _("The judge is already sitting then: %(other)s.")),
        ("courtroom_id", "courtroom_double_booked", _("The courtroom is already booked then: %(other)s.")),
    ) if getattr(hearing, field) is not None]
    if not checks:
        return []
    clashes = Q()
    for field, _code, _text, value in checks:
        clashes |= Q(**{field: value})
    overlapping = list(_overlapping(hearing).filter(clashes).select_related("case", "court", "courtroom"))
    seen = _visible_ids(user, overlapping)
    problems = []
    for field, code, text, value in checks:
        for other in overlapping:
            if getattr(other, field) == value:
                problems.append(Problem(code, text % {"other": _describe(user, other, seen)}, about=str(other.pk)))
    return problems


def _visible_ids(user, hearings):
    if user is None or not hearings:
        return set()
    ids = [h.pk for h in hearings]
    return set(access.visible(user, Hearing.objects.filter(pk__in=ids)).values_list("pk", flat=True))


def _child_cases_waiting(hearing, user):
    """Child cases are heard first [GP 19]: an adult case's hearing set while a child case at
    the same court has no hearing before it."""
    case = hearing.case
    if case.priority == Case.Priority.CHILD:
        return []
    earlier = Hearing.objects.filter(case=OuterRef("pk"), status=Hearing.Status.SCHEDULED,
                                     starts_at__gte=timezone.now(), starts_at__lte=hearing.starts_at)
    at_court = Hearing.objects.filter(case=OuterRef("pk"), court_id=hearing.court_id)
    waiting = (Case.objects.filter(priority=Case.Priority.CHILD, stage__in=COURT_STAGES)
               .filter(Q(court_id=hearing.court_id) | Q(Exists(at_court)))
               .exclude(pk=case.pk).exclude(Exists(earlier)))
    waiting_ids = list(waiting.values_list("pk", flat=True))
    if not waiting_ids:
        return []
    known = list(access.visible(user, Case.objects.filter(pk__in=waiting_ids)).values_list("reference", flat=True)) \
        if user is not None else []
    message = ngettext(
        "%(count)d child case at this court has no hearing before this one: child cases are heard first.",
        "%(count)d child cases at this court have no hearing before this one: child cases are heard first.",
        len(waiting_ids)) % {"count": len(waiting_ids)}
    if known:
        message += " " + _("Among them: %(cases)s.") % {"cases": ", ".join(sorted(known))}
    return [Problem("child_case_waiting", message, about=",".join(map(str, sorted(waiting_ids))))]


def _keeps_apart(witness, measure_codes):
    return bool(set(measure_codes) & set(SpecialMeasure.KEEPS_APART))


def _measures_in_force(witnesses):
    """{witness pk or id(): measures the court's order stands for}. A witness not yet saved
    may carry its own (`measures_in_force`: a follow-up hearing's copy keeps the decisions)."""
    in_force = {}
    for witness in witnesses:
        carried = getattr(witness, "measures_in_force", None)
        if carried is not None:
            in_force[_witness_key(witness)] = set(carried)
    saved = [w.pk for w in witnesses if w.pk and _witness_key(w) not in in_force]
    if saved:
        rows = SpecialMeasure.objects.filter(SpecialMeasure.in_force(), witness_id__in=saved)
        for witness_id, measure in rows.values_list("witness_id", "measure"):
            in_force.setdefault(witness_id, set()).add(measure)
    return in_force


def _witness_key(witness):
    return witness.pk if witness.pk else id(witness)


def _victim_meets_defendant(hearing, witnesses):
    """A victim-witness in the building at the same time as a defendant of their cases, with
    nowhere safe to wait: the one rule no confirmation overrides [GP 17]. A fixed number of
    queries however many witnesses there are."""
    in_person = [w for w in witnesses if w.victim_id and w.appearance == HearingWitness.Appearance.IN_PERSON]
    if not in_person or (hearing.courtroom_id and hearing.courtroom.has_safe_waiting_room):
        return []
    in_force = _measures_in_force(in_person)
    exposed = [(w, in_force.get(_witness_key(w), set())) for w in in_person]
    exposed = [(w, measures) for w, measures in exposed if not _keeps_apart(w, measures)]
    if not exposed:
        return []
    defendants_in_case = Defendant.objects.filter(case_id=hearing.case_id).exists()
    # Other hearings at this court then, in cases with defendants.
    with_defendants = _overlapping(hearing).filter(court_id=hearing.court_id).filter(
        Exists(Defendant.objects.filter(case=OuterRef("case")))).values("case_id")
    meeting_elsewhere = set(VictimCaseLink.objects.filter(
        victim_id__in=[w.victim_id for w, _m in exposed], case_id__in=with_defendants).values_list("victim_id", flat=True))
    problems = []
    for witness, measures in exposed:
        defendants_here = defendants_in_case and SpecialMeasure.Measure.DEFENDANT_REMOVED not in measures
        if defendants_here or witness.victim_id in meeting_elsewhere:
            problems.append(Problem(
                "victim_meets_defendant",
                _("Victim-witness %(victim)s would be at court with a defendant at the same time and this courtroom "
                  "has no safe waiting room. Choose a courtroom with one, let the victim testify by video link or a "
                  "pre-recorded statement, or have the court order a safe waiting room or separate entrance first.")
                % {"victim": witness.victim.code},
                absolute=True, about=str(witness.victim_id)))
    return problems


def _interpreters(witnesses):
    return [
        Problem("interpreter_not_booked",
                _("%(witness)s needs an interpreter for %(language)s, not yet booked.")
                % {"witness": witness.victim.code if witness.victim_id else witness.role,
                   "language": witness.interpreter_language},
                about=str(witness.victim_id or witness.role))
        for witness in witnesses if witness.needs_interpreter
    ]


def _early_testimony(hearing, witnesses):
    day = timezone.localtime(hearing.starts_at).date()
    return [
        Problem("early_testimony_too_late",
                _("%(witness)s leaves the country on %(date)s, before this hearing: hear them early so they need "
                  "not come back.") % {"witness": witness.victim.code if witness.victim_id else witness.role,
                                       "date": witness.leaves_country_on},
                about=str(witness.victim_id or witness.role))
        for witness in witnesses
        if witness.early_testimony and witness.leaves_country_on and witness.leaves_country_on < day
    ]


class ScheduleWarnings(Exception):
    """Warnings the person has not yet confirmed."""

    def __init__(self, problems):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
