"""What the pages of other apps read about deadlines [SPEC 2.7, SPEC 3]."""

from .services import on_case, on_victim


def case_deadlines(user, case, may):
    """The case page's deadlines (one query); those who change the case add deadlines to it."""
    return {"case_deadlines": list(on_case(user, case)), "may_add_deadline": may["change"]}


def victim_deadlines(user, victim, may):
    """The victim page's deadlines about the victim (one query)."""
    return {"victim_deadlines": list(on_victim(user, victim))}
