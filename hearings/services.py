"""Hearings: scheduling, moving, adjourning, witnesses and special measures. Pages, API and
tasks all call these; each runs in one transaction and writes nothing when it refuses."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from accounts.functions import Function
from accounts.versioning import check_version
from cases.services import lock
from victims.models import VictimCaseLink

from . import scheduling
from .models import Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure
from .scheduling import ScheduleWarnings


def may_schedule(user, case, court):
    return access.rule_for(Hearing).may_schedule(user, case, court)


def schedulable_cases(user):
    return access.rule_for(Hearing).schedulable_cases(user)


def _settle(hearing, user, confirmed, witnesses=None):
    """Refuse on an absolute problem; ask again for warnings not yet confirmed."""
    problems = scheduling.check(hearing, user=user, witnesses=witnesses)
    absolute = [p.message for p in problems if p.absolute]
    if absolute:
        raise ValidationError(absolute, code="schedule")
    unconfirmed = [p for p in problems if not p.absolute and p.key not in set(confirmed or ())]
    if unconfirmed:
        raise ScheduleWarnings(unconfirmed)
    return problems


def _check_court_and_room(hearing):
    if hearing.court_id and hearing.court.kind != "court":
        raise ValidationError({"court": _("Choose a court.")})
    if hearing.courtroom_id and hearing.courtroom.court_id != hearing.court_id:
        raise ValidationError({"courtroom": _("This courtroom is not in the chosen court.")})
    for field, function in (("judge", "judge"), ("prosecutor", "prosecutor")):
        person = getattr(hearing, field)
        if person is not None and (not person.is_active or not person.has_function(function)):
            raise ValidationError({field: _("%(person)s is not an active %(function)s.") % {
                "person": person, "function": _(function)}})
    if hearing.judge_id and hearing.judge.agency_id != hearing.court_id:
        raise ValidationError({"judge": _("%(judge)s does not sit at this court.") % {"judge": hearing.judge}})


@transaction.atomic
def schedule(hearing, *, actor, confirmed=()):
    """Save a new hearing set by `actor`, after the scheduling checks."""
    if hearing.case_id is None:
        raise ValidationError({"case": _("Choose the case.")})
    lock(hearing.case)
    if not may_schedule(actor, hearing.case, hearing.court if hearing.court_id else None):
        access.require(actor, "view", hearing.case)
        raise PermissionDenied(_("You may not set hearings in this case before this court."))
    hearing.full_clean(exclude=["ends_at"])
    _check_court_and_room(hearing)
    _settle(hearing, actor, confirmed)
    hearing.created_by = actor
    hearing.save()
    return hearing


@transaction.atomic
def update(hearing, *, actor, version, confirmed=()):
    """Save changes to a scheduled hearing (time, room, judge...): checked again."""
    access.require(actor, "change", hearing)
    check_version(hearing, version)
    if not hearing.is_open:
        raise ValidationError(_("Only a scheduled hearing can be changed; this one is %(status)s.")
                              % {"status": hearing.get_status_display().lower()})
    hearing.full_clean(exclude=["ends_at"])
    _check_court_and_room(hearing)
    if not may_schedule(actor, hearing.case, hearing.court):
        raise PermissionDenied(_("You may not set hearings in this case before this court."))
    _settle(hearing, actor, confirmed)
    hearing.save()
    return hearing


def _locked(hearing, actor, version):
    access.require(actor, "change", hearing)
    check_version(hearing, version)
    current = Hearing.objects.get(pk=hearing.pk)
    if not current.is_open:
        raise ValidationError(_("This hearing is already %(status)s.") % {"status": current.get_status_display().lower()})
    current.version = hearing.version
    return current


@transaction.atomic
def adjourn(hearing, *, actor, version, reason, requested_by, new_starts_at=None, confirmed=()):
    """Adjourn a scheduled hearing: why and who asked are recorded and counted [GP 8(b)]. With
    a new date, the hearing continues there with the same court, people, witnesses and the
    court's decisions on special measures, so the victim need not ask again."""
    hearing = _locked(hearing, actor, version)
    reason = (reason or "").strip()
    if not reason or not requested_by:
        raise ValidationError(_("An adjournment needs its reason and who asked for it."))
    hearing.status, hearing.adjournment_reason, hearing.adjournment_requested_by = (
        Hearing.Status.ADJOURNED, reason, requested_by)
    hearing.save()
    if new_starts_at is None:
        return hearing, None
    witnesses = list(hearing.witnesses.prefetch_related("special_measures"))
    follow_up = Hearing(
        case=hearing.case, kind=hearing.kind, court=hearing.court, courtroom=hearing.courtroom,
        starts_at=new_starts_at, duration_minutes=hearing.duration_minutes, judge=hearing.judge,
        prosecutor=hearing.prosecutor, video_link=hearing.video_link, notes=hearing.notes, created_by=actor,
    )
    follow_up.full_clean(exclude=["ends_at"])
    copies = [HearingWitness(**{f.attname: getattr(w, f.attname) for f in HearingWitness._meta.concrete_fields
                                if f.name not in ("id", "hearing")}) for w in witnesses]
    for original, copy in zip(witnesses, copies):
        # Checked with the court's decisions the copy will carry (a safe waiting room granted).
        copy.measures_in_force = {m.measure for m in original.special_measures.all() if m.is_in_force}
    _settle(follow_up, actor, confirmed, witnesses=copies)
    follow_up.save()
    for original, copy in zip(witnesses, copies):
        copy.hearing = follow_up
        copy.save()
        for measure in original.special_measures.all():
            measure.pk, measure.witness = None, copy
            measure.save()
    hearing.adjourned_to = follow_up
    hearing.save(update_fields=["adjourned_to", "updated_at"])
    return hearing, follow_up


@transaction.atomic
def close(hearing, *, actor, version, status, reason=""):
    """Record that a hearing was held, or cancel or vacate it (with a reason)."""
    if status not in (Hearing.Status.HELD, Hearing.Status.CANCELLED, Hearing.Status.VACATED):
        raise ValidationError(_("Use adjourn to adjourn a hearing."))
    hearing = _locked(hearing, actor, version)
    reason = (reason or "").strip()
    if status != Hearing.Status.HELD and not reason:
        raise ValidationError(_("Cancelling or vacating a hearing needs a reason."))
    if status == Hearing.Status.HELD and hearing.starts_at > timezone.now():
        raise ValidationError(_("A hearing cannot have been held before it starts."))
    hearing.status, hearing.status_reason = status, reason
    hearing.save()
    return hearing


@transaction.atomic
def save_witness(witness, *, actor, confirmed=()):
    """Add or change a witness at a hearing, checking the hearing again with them."""
    hearing = Hearing.objects.select_for_update().get(pk=witness.hearing_id)
    access.require(actor, "change", hearing)
    if not hearing.is_open:
        raise ValidationError(_("Witnesses are added to a scheduled hearing; this one is %(status)s.")
                              % {"status": hearing.get_status_display().lower()})
    if witness.victim_id:
        if not VictimCaseLink.objects.filter(victim_id=witness.victim_id, case_id=hearing.case_id).exists():
            raise ValidationError({"victim": _("This victim is not linked to the hearing's case.")})
    witness.full_clean()
    others = [w for w in hearing.witnesses.all() if w.pk != witness.pk]
    _settle(hearing, actor, confirmed, witnesses=[*others, witness])
    witness.save()
    return witness


# What the court decides about a special measure: only the court's own staff record it, so no
# party can grant itself the measure that lifts the no-contact block [VS 26-27].
COURT_RECORD = ("defence_heard", "decision", "decided_on", "decision_notes", "appeal", "appeal_notes")


def is_court_of(user, hearing):
    return bool(user.agency_id == hearing.court_id
                and (user.has_function(Function.COURT_CLERK) or user.has_function(Function.JUDGE)))


@transaction.atomic
def save_measure(measure, *, actor):
    """Record a request for a special measure, or the court's decision on it, or an appeal."""
    witness = HearingWitness.objects.select_related("hearing").get(pk=measure.witness_id)
    access.require(actor, "change", witness.hearing)
    if not is_court_of(actor, witness.hearing):
        stored = SpecialMeasure.objects.filter(pk=measure.pk).first() if measure.pk else SpecialMeasure()
        changed = [name for name in COURT_RECORD if getattr(measure, name) != getattr(stored, name)]
        if changed:
            raise PermissionDenied(_("Only the court records its decision on a special measure, whether the "
                                     "defence was heard and any appeal; you may request the measure."))
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def add_unavailability(absence, *, actor):
    """Record a judge's leave or other absence: by the staff of the judge's own court (the
    access policy's rule for it decides, on the saved row). Returns the scheduled hearings
    already set before that judge in the period, which now need moving."""
    if not access.may_use(actor, JudgeUnavailability, "change"):
        raise PermissionDenied(_("Court staff record judges' non-availability."))
    absence.full_clean()
    if absence.judge_id and not absence.judge.has_function("judge"):
        raise ValidationError({"judge": _("%(person)s is not a judge.") % {"person": absence.judge}})
    absence.save()
    if not access.can(actor, "change", absence):
        raise PermissionDenied(_("You may record the non-availability of your own court's judges only."))
    return hearings_during(absence)


def hearings_during(absence):
    """The scheduled hearings before the absent judge in the days of `absence`."""
    start, end = in_range(absence.starts_on, (absence.ends_on - absence.starts_on).days + 1)
    return between(Hearing.objects.filter(judge_id=absence.judge_id, status=Hearing.Status.SCHEDULED), start, end)


def adjournments(cases):
    """Annotate each case with `adjournments`: how many of its hearings were adjourned."""
    counted = (Hearing.objects.filter(case=OuterRef("pk"), status=Hearing.Status.ADJOURNED).order_by()
               .values("case").annotate(n=Count("pk")).values("n"))
    return cases.annotate(adjournments=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def next_hearings(cases):
    """Annotate each case with `next_hearing`: when its next scheduled hearing starts."""
    upcoming = (Hearing.objects.filter(case=OuterRef("pk"), status=Hearing.Status.SCHEDULED,
                                       starts_at__gte=timezone.now()).order_by("starts_at").values("starts_at")[:1])
    return cases.annotate(next_hearing=Subquery(upcoming))


def between(queryset, start, end):
    """Hearings overlapping [start, end)."""
    return queryset.filter(starts_at__lt=end, ends_at__gt=start)


def in_range(day, days):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=days)


__all__ = [
    "ScheduleWarnings", "add_unavailability", "adjourn", "adjournments", "between", "close", "hearings_during",
    "in_range", "may_schedule", "next_hearings", "save_measure", "save_witness", "schedulable_cases", "schedule", "update",
]
