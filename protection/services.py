"""Protection orders: recording, varying, reviewing, revoking and expiring them, and what a
violation sets in motion. Each runs in one transaction and writes nothing when it refuses."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from accounts.functions import Function
from accounts.models import User
from accounts.versioning import check_version
from cases.models import Case, CaseAssignment, CaseExclusion
from victims.models import Victim

from .models import OrderEvent, ProtectionOrder, Violation
from .signals import order_reviewed, violation_reported

S = ProtectionOrder.Status
logger = logging.getLogger(__name__)


def may_record(user, victim, case=None, court=None):
    return access.rule_for(ProtectionOrder).may_record(user, victim, case, court)


def may_record_some(user, victim, case=None):
    """Whether the user may record an order for `victim` (in `case`) from some court: court
    staff only from their own court, so it is the one they are asked about; for everyone else
    the court does not matter to the policy. For pages deciding whether to offer the form."""
    return may_record(user, victim, case, user.agency if user.agency_id else None)


def with_visibility(user, orders):
    """Orders annotated with what the user may see around them, in the same query:
    victim_visible (the victim record), identity_visible (the victim's identity, and so the
    protected relatives' names), case_visible (the case) and proceedings_visible (the case's
    defendants, and so the restrained person)."""
    def seen(model, field, action="view"):
        rows = access.visible(user, model.objects.filter(pk=OuterRef(field)), action)
        return ExpressionWrapper(Exists(rows), output_field=BooleanField())

    return orders.annotate(
        victim_visible=seen(Victim, "victim_id"),
        identity_visible=seen(Victim, "victim_id", "view_identity"),
        case_visible=seen(Case, "case_id"),
        proceedings_visible=seen(Case, "case_id", "view_proceedings"),
    )


def _check_on(order, on, field="on"):
    """The date of a court decision on the order: not before the order was issued, not to come."""
    if on is None:
        raise ValidationError({field: _("Give the date.")})
    if on < order.issued_on:
        raise ValidationError({field: _("This date is before the order was issued (%(date)s).")
                               % {"date": order.issued_on.isoformat()}})
    if on > timezone.localdate():
        raise ValidationError({field: _("This date is still to come: record the decision once it is taken.")})


def _check_parts(order, relatives=()):
    if order.issuing_court_id and order.issuing_court.kind != "court":
        raise ValidationError({"issuing_court": _("Choose a court.")})
    if order.case_id and not order.case.victim_links.filter(victim_id=order.victim_id).exists():
        raise ValidationError({"case": _("The protected victim is not linked to this case.")})
    if order.restrained_defendant_id:
        if not order.case_id:
            raise ValidationError({"restrained_defendant": _("Choose the case the defendant is in.")})
        if order.restrained_defendant.case_id != order.case_id:
            raise ValidationError({"restrained_defendant": _("This defendant is not in the order's case.")})
        if order.restrained_defendant.victim_id == order.victim_id:
            raise ValidationError({"restrained_defendant": _("The protected victim cannot be the restrained person.")})
    if order.next_review_on and order.issued_on and order.next_review_on < order.issued_on:
        raise ValidationError({"next_review_on": _("A review comes after the order is issued.")})
    if any(relative.victim_id != order.victim_id for relative in relatives):
        raise ValidationError({"protected_relatives": _("Only the protected victim's own relatives can be named.")})


@transaction.atomic
def record_order(order, *, actor, relatives=()):
    """Record an order the court issued."""
    if not may_record(actor, order.victim, order.case, order.issuing_court if order.issuing_court_id else None):
        access.require(actor, "view", order.victim)
        raise PermissionDenied(_("You may not record protection orders for this victim."))
    order.recorded_by = actor
    _check_parts(order, relatives)  # first: its messages say more than the fields' own
    order.full_clean()
    today = timezone.localdate()
    order.status = S.EXPIRED if order.expires_on and order.expires_on < today else S.ACTIVE
    order.save()
    order.protected_relatives.set(relatives)
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.ISSUED, on=order.issued_on, by=actor)
    return order


def _locked(order, actor, version, on):
    """The order as it is now, locked, with the version the change will save; refused if the
    user may not change it, if it changed since `version` was read, or if it is no longer in force."""
    access.require(actor, "change", order)
    check_version(order, version)  # locks the row and sets order.version to the next one
    current = ProtectionOrder.objects.get(pk=order.pk)
    if not current.is_in_force:
        raise ValidationError(_("This order is %(status)s: it can no longer change.")
                              % {"status": current.get_status_display().lower()})
    _check_on(current, on)
    current.version = order.version
    return current


@transaction.atomic
def vary(order, *, actor, version, on, reason, conditions=None, expires_on=None, next_review_on=None,
         relatives=None):
    """The court changed the order's terms: it stays in force as varied."""
    current = _locked(order, actor, version, on)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the court changed and why.")})
    if conditions is not None:
        current.conditions = conditions
    current.expires_on = expires_on if expires_on is not None else current.expires_on
    current.next_review_on = next_review_on if next_review_on is not None else current.next_review_on
    current.status = S.VARIED
    current.full_clean()
    _check_parts(current, relatives or ())
    if relatives is not None:
        current.protected_relatives.set(relatives)
    current.save()
    OrderEvent.objects.create(order=current, kind=OrderEvent.Kind.VARIED, on=on, by=actor, details=reason)
    return current


@transaction.atomic
def review(order, *, actor, version, on, outcome, next_review_on=None):
    """A review held: the review deadline is met, and the next one set."""
    current = _locked(order, actor, version, on)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("Say what the review found.")})
    if next_review_on is not None and next_review_on <= on:
        raise ValidationError({"next_review_on": _("The next review comes after this one.")})
    order_reviewed.send(sender=ProtectionOrder, order=current)
    current.next_review_on = next_review_on
    current.save()
    OrderEvent.objects.create(order=current, kind=OrderEvent.Kind.REVIEWED, on=on, by=actor, details=outcome.strip())
    return current


@transaction.atomic
def revoke(order, *, actor, version, on, reason):
    """The court lifted the order: it is no longer in force and can no longer change."""
    current = _locked(order, actor, version, on)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Revoking an order needs the reason.")})
    current.status = S.REVOKED
    current.save()
    OrderEvent.objects.create(order=current, kind=OrderEvent.Kind.REVOKED, on=on, by=actor, details=reason.strip())
    return current


def expire_due(today=None):
    """Orders in force whose expiry date has passed become expired (the deadline sweep calls
    this). Each order is taken once even if two sweeps run at the same time (the rows are
    locked, and a locked one is left to the sweep holding it), a second run finds nothing left
    to do, and one order failing does not stop the rest (each is saved in its own savepoint)."""
    today = today or timezone.localdate()
    expired = []
    with transaction.atomic():
        due = list(ProtectionOrder.objects.select_for_update(skip_locked=True)
                   .filter(status__in=ProtectionOrder.IN_FORCE, expires_on__lt=today).order_by("pk"))
        for order in due:
            try:
                with transaction.atomic():
                    order.status, order.version = S.EXPIRED, order.version + 1
                    order.save()  # its review and expiry deadlines follow (deadlines.signals)
                    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.EXPIRED, on=order.expires_on,
                                              by=None, details=_("Expired on its expiry date."))
            except Exception:  # noqa: BLE001 - one broken order must not keep the others in force
                logger.exception("Protection order %s could not be expired", order.pk)
                continue
            expired.append(order)
    return expired


# --- Violations ---------------------------------------------------------------------------

def violation_recipients(order):
    """Who is told of a violation: the case's current prosecutors (the order's case, or every
    case of the victim) and the caseworkers of the NGOs supporting the victim [SPEC 2.6]; never
    someone excluded from a case of the victim."""
    cases = [order.case_id] if order.case_id else list(order.victim.case_links.values_list("case_id", flat=True))
    prosecutors = CaseAssignment.objects.filter(case_id__in=cases, team_role=CaseAssignment.TeamRole.PROSECUTOR,
                                                ended_on__isnull=True, user=OuterRef("pk"))
    supporters = order.victim.supports.filter(ended_on__isnull=True, agency=OuterRef("agency")).values("pk")
    excluded = CaseExclusion.objects.filter(case__victim_links__victim=order.victim_id, user=OuterRef("pk"))
    users = User.objects.filter(is_active=True).filter(
        Exists(prosecutors) | (Q(functions__contains=[Function.CASEWORKER]) & Exists(supporters))
    ).exclude(Exists(excluded))
    return list(users.order_by("pk"))


def _in_force_on(order, day):
    """Whether `order` was in force on `day`: from its effect to its expiry or revocation."""
    if day < order.effective_from or (order.expires_on and day > order.expires_on):
        return False
    if order.status == S.REVOKED:
        revoked = order.events.filter(kind=OrderEvent.Kind.REVOKED).order_by("-on").values_list("on", flat=True).first()
        return revoked is None or day <= revoked
    return True


@transaction.atomic
def report_violation(violation, *, actor):
    """Record a violation. The victim is flagged for a risk re-assessment (a deadline for the
    supporting NGO) and the prosecutor and the supporting NGO are told, once each: reporting
    the same violation again records nothing new and tells nobody twice."""
    order = ProtectionOrder.objects.select_for_update().get(pk=violation.order_id)
    access.require(actor, "report_violation", order)
    if violation.pk is None:
        if violation.occurred_at and violation.occurred_at > timezone.now():
            raise ValidationError({"occurred_at": _("A violation cannot be reported before it happens.")})
        if violation.occurred_at and not _in_force_on(order, timezone.localtime(violation.occurred_at).date()):
            raise ValidationError({"occurred_at": _("The order was not in force then: a violation happens while "
                                                    "it is.")})
        violation.reported_by = actor
        violation.full_clean()
        violation.save()  # the risk re-assessment deadline follows (deadlines.signals)
    violation_reported.send(sender=Violation, violation=violation, recipients=violation_recipients(order))
    return violation


@transaction.atomic
def update_violation(violation, *, actor):
    """Record the action taken on a violation and its escalation."""
    access.require(actor, "change", violation)
    violation.full_clean()
    violation.save()
    return violation

