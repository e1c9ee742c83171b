"""Deadlines other records generate. Generation is idempotent: each generated deadline has a
`source_key`, unique in the database, so saving its source again updates it rather than adding
a second row; signals.py calls these on every save of a source."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import lifecycle
from cases.models import Case, CaseAssignment, CooperationRequest as CR, Defendant
from referrals.models import Referral
from victims.children import case_is_child

from ..models import Deadline
from .recording import end_of_day

K = Deadline.Kind


def _upsert(key, **fields):
    """The generated deadline `key`, created or brought up to date while still pending. An
    extension someone granted stands: regenerating keeps its due date."""
    row = Deadline.objects.select_for_update().filter(source_key=key).first()
    if row is None:
        try:
            with transaction.atomic():  # two first saves at once: the unique key lets one win
                return Deadline.objects.create(source_key=key, **fields)
        except IntegrityError:
            row = Deadline.objects.select_for_update().get(source_key=key)
    if row.status == Deadline.Status.EXTENDED:
        fields.pop("due_at", None)
    if row.is_pending:
        changed = [name for name, value in fields.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, fields[name])
            row.save()
    return row


def _retire(queryset, *, met, when=None):
    """Pending generated deadlines that no longer wait: met, or (when their source went away,
    e.g. a withdrawn referral) removed; history keeps them."""
    for row in queryset.filter(status__in=Deadline.PENDING).exclude(source_key=""):
        if met:
            row.status, row.closed_at = Deadline.Status.MET, when or timezone.now()
            row.save()
        else:
            row.delete()


def current_prosecutor(case):
    return case.holder(CaseAssignment.TeamRole.PROSECUTOR)


def _prosecuting_agency(case, role="prosecuting"):
    role = case.agency_roles.filter(role=role).select_related("agency").first()
    return role.agency if role else None


def _stage_owner(case):
    """Who answers for a stage's time standard: the police while a case is investigated, the
    prosecution afterwards; whichever the case has when the other is missing."""
    police = (CaseAssignment.TeamRole.LEAD_INVESTIGATOR, "investigating")
    prosecution = (CaseAssignment.TeamRole.PROSECUTOR, "prosecuting")
    order = [police, prosecution] if case.stage in (Case.Stage.INTAKE, Case.Stage.INVESTIGATION) else [
        prosecution, police]
    user = agency = None
    for team_role, agency_role in order:
        user = user or case.holder(team_role)
        agency = agency or _prosecuting_agency(case, agency_role)
    return user, agency


def _supporting_agency(victim):
    support = victim.supports.filter(ended_on__isnull=True).select_related("agency").order_by("started_on").first()
    return support.agency if support else None


def for_case_stage(case):
    """The time standard of the stage the case is in [GP 12, 19]; the previous stage's is met."""
    key = f"case:{case.pk}:stage:{case.stage}:{case.stage_entered_at:%Y%m%dT%H%M%S%f}"
    _retire(Deadline.objects.filter(case=case, kind=K.STAGE_STANDARD).exclude(source_key=key), met=True)
    is_child = Case.objects.filter(pk=case.pk).filter(case_is_child()).exists()
    days = lifecycle.stage_standard_days(case, bool(is_child))
    if days is None:
        return None
    return _upsert(
        key, kind=K.STAGE_STANDARD, case=case,
        title=_("%(stage)s within the time standard (%(days)d days)") % {"stage": case.get_stage_display(),
                                                                        "days": days},
        due_at=case.stage_entered_at + datetime.timedelta(days=days),
        **dict(zip(("responsible_user", "responsible_agency"), _stage_owner(case))),
    )


def for_referral(referral):
    key = f"referral:{referral.pk}:response"
    rows = Deadline.objects.filter(source_key=key)
    if referral.status == Referral.Status.WITHDRAWN:
        return _retire(rows, met=False)
    if referral.status != Referral.Status.SENT:
        answered = referral.accepted_at or referral.declined_at or timezone.now()
        return _retire(rows, met=True, when=answered)
    return _upsert(key, kind=K.REFERRAL_RESPONSE, referral=referral,
                   title=_("Answer referral %(id)s") % {"id": referral.pk},
                   due_at=referral.response_due_at, responsible_agency=referral.to_agency,
                   responsible_user=referral.assigned_to if getattr(referral, "assigned_to_id", None) else None)


def for_cooperation_request(request):
    key = f"cooperation:{request.pk}:response"
    rows = Deadline.objects.filter(source_key=key)
    if request.status == CR.Status.WITHDRAWN or not request.response_due_on:
        return _retire(rows, met=False)
    if request.status in (CR.Status.EXECUTED, CR.Status.PARTLY_EXECUTED, CR.Status.REFUSED):
        return _retire(rows, met=True)
    if request.status == CR.Status.DRAFT:
        return None
    return _upsert(key, kind=K.COOPERATION_RESPONSE, cooperation_request=request, case=request.case,
                   title=_("Answer to the %(kind)s request") % {"kind": request.get_kind_display().lower()},
                   due_at=end_of_day(request.response_due_on),
                   responsible_user=current_prosecutor(request.case),
                   responsible_agency=_prosecuting_agency(request.case))


def for_defendant(defendant):
    rows = Deadline.objects.filter(defendant=defendant, kind=K.PRE_TRIAL_DETENTION).exclude(source_key="")
    if defendant.custody != Defendant.Custody.PRE_TRIAL_DETENTION or not defendant.detention_limit_on:
        return _retire(rows, met=True)
    key = f"defendant:{defendant.pk}:detention:{defendant.detention_limit_on:%Y%m%d}"
    _retire(rows.exclude(source_key=key), met=False)
    return _upsert(key, kind=K.PRE_TRIAL_DETENTION, defendant=defendant, case=defendant.case,
                   title=_("Pre-trial detention limit of a defendant: indict or release"),
                   due_at=end_of_day(defendant.detention_limit_on),
                   responsible_user=current_prosecutor(defendant.case),
                   responsible_agency=_prosecuting_agency(defendant.case))


def for_protection_order(order):
    rows = Deadline.objects.filter(protection_order=order, kind__in=[K.ORDER_REVIEW, K.ORDER_EXPIRY])
    if not order.is_in_force:
        # An expired order met its expiry date; its pending review is moot, like all of a revoked one's.
        _retire(rows.filter(kind=K.ORDER_REVIEW), met=False)
        return _retire(rows, met=order.status == order.Status.EXPIRED)
    keep = []
    responsible = dict(responsible_user=current_prosecutor(order.case) if order.case_id else None,
                       responsible_agency=order.issuing_court)
    kind_name = order.get_kind_display().lower()
    for kind, step, day, title in (
            (K.ORDER_REVIEW, "review", order.next_review_on, _("Review of the %(kind)s")),
            (K.ORDER_EXPIRY, "expiry", order.expires_on, _("The %(kind)s expires: renew it or let it end"))):
        if day:
            key = f"order:{order.pk}:{step}:{day:%Y%m%d}"
            keep.append(key)
            _upsert(key, kind=kind, protection_order=order, victim=order.victim, case=order.case,
                    title=title % {"kind": kind_name}, due_at=end_of_day(day), **responsible)
    _retire(rows.exclude(source_key__in=keep), met=False)
    return None


def order_reviewed(*, order):
    """A review of the protection order was held: its pending review deadline is met (the
    review of the next date is generated when the order is saved) [SPEC 2.5, 2.6]."""
    _retire(Deadline.objects.filter(protection_order=order, kind=K.ORDER_REVIEW), met=True)


def for_violation(violation):
    """A violation calls for a new risk assessment of the protected victim [SPEC 2.6]."""
    order = violation.order
    return _upsert(
        f"violation:{violation.pk}:reassessment", kind=K.RISK_REASSESSMENT, protection_order=order,
        victim=order.victim, case=order.case,
        title=_("Re-assess the risk to %(victim)s after a violation of the order") % {"victim": order.victim.code},
        due_at=violation.reported_at + datetime.timedelta(days=settings.RISK_REASSESSMENT_DAYS),
        responsible_agency=_supporting_agency(order.victim),
    )


def for_risk_assessment(assessment):
    """A completed risk assessment meets the re-assessments the victim's violations called for."""
    if not assessment.completed:
        return
    _retire(Deadline.objects.filter(victim_id=assessment.victim_id, kind=K.RISK_REASSESSMENT,
                                    created_at__date__lte=assessment.assessed_on), met=True)


def for_reflection_period(period):
    """The end of the period; one cut short by a decision has ended, so its deadline is met."""
    if period.ended_on is not None:
        return _retire(Deadline.objects.filter(source_key=f"reflection:{period.pk}:end"), met=True)
    return _upsert(f"reflection:{period.pk}:end", kind=K.REFLECTION_END, victim=period.victim,
                   title=_("End of the reflection period of %(victim)s") % {"victim": period.victim.code},
                   due_at=end_of_day(period.ends_on), responsible_agency=_supporting_agency(period.victim))


def for_residence_permit(permit):
    rows = Deadline.objects.filter(source_key__startswith=f"permit:{permit.pk}:")
    if permit.status != permit.Status.GRANTED or not permit.expires_on:
        return _retire(rows, met=permit.status == permit.Status.EXPIRED)
    key = f"permit:{permit.pk}:expiry:{permit.expires_on:%Y%m%d}"
    _retire(rows.exclude(source_key=key), met=False)
    return _upsert(key, kind=K.PERMIT_EXPIRY, victim=permit.victim,
                   title=_("Residence permit of %(victim)s expires: renew it") % {"victim": permit.victim.code},
                   due_at=end_of_day(permit.expires_on), responsible_agency=_supporting_agency(permit.victim))


def permit_renewed(permit):
    """A renewal meets the expiry deadline of the permit it renews."""
    if permit.renewal_of_id:
        _retire(Deadline.objects.filter(source_key__startswith=f"permit:{permit.renewal_of_id}:"), met=True)


def after_team_change(case, handed_over):
    """A case team changed (cases.signals.case_team_changed). The deadlines generated from the
    team follow its new holders; the deadlines people entered for someone who left a function
    pass to whoever holds it now, or to no one in person (their agency, else the case's
    prosecutor, answers then): continuity means nothing stays with a person who has gone [GP 15]."""
    for_case_stage(case)
    for request in case.cooperation_requests.all():
        for_cooperation_request(request)
    for defendant in case.defendants.all():
        for_defendant(defendant)
    for order in case.protection_orders.all():
        for_protection_order(order)
    left = {person.pk: successor for person, successor in handed_over.items()}
    entered = (Deadline.objects.select_for_update().filter(
        case=case, source_key="", status__in=Deadline.PENDING, responsible_user_id__in=left))
    for row in entered:
        row.responsible_user = left[row.responsible_user_id]
        row.save()
