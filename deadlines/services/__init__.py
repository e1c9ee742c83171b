"""Deadlines as rows [SPEC 2.5]: the ones people enter (recording), the ones other records
generate (generated) and how they are read (reading). Callers use this package's names."""

from .generated import (
    after_team_change,
    current_prosecutor,
    for_case_stage,
    for_cooperation_request,
    for_defendant,
    for_protection_order,
    for_referral,
    for_reflection_period,
    for_residence_permit,
    for_risk_assessment,
    for_violation,
    order_reviewed,
    permit_renewed,
)
from .notices import tell_of_violation
from .reading import (
    LISTED,
    inbox,
    listing,
    mark_all_read,
    mark_read,
    mine,
    on_case,
    on_victim,
    open_counts,
    responsible,
    unread_count,
    with_case_visible,
)
from .recording import add, end_of_day, extend, mark_met, mark_missed, mark_passed

__all__ = [
    "LISTED", "add", "after_team_change", "current_prosecutor", "end_of_day", "extend", "for_case_stage",
    "for_cooperation_request", "for_defendant", "for_protection_order", "for_referral", "for_reflection_period",
    "for_residence_permit", "for_risk_assessment", "for_violation", "inbox", "listing", "mark_all_read",
    "mark_met", "mark_missed", "mark_passed", "mark_read", "mine", "on_case", "on_victim", "open_counts", "order_reviewed",
    "permit_renewed",
    "responsible", "tell_of_violation", "unread_count", "with_case_visible",
]
