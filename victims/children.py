"""Who is treated as a child, as SQL: a victim whose age is in doubt counts as a child [VS 14],
and a case with such a victim is a child case, whose stages have the stricter time standard
[SPEC 2.2, GP 12, 19]. The time standards (deadlines) and the dashboards read it from here."""

from django.db.models import Exists, OuterRef, Q

from cases.models import Case

from .models import Victim, VictimCaseLink

CHILD_AGE_GROUPS = (Victim.AgeGroup.CHILD, Victim.AgeGroup.IN_DOUBT)  # age in doubt counts as a child


def case_is_child():
    """For Case querysets: a child case, or one with a victim who is a child or whose age is in
    doubt [GP 19]."""
    child_victims = VictimCaseLink.objects.filter(case=OuterRef("pk"), victim__age_group__in=CHILD_AGE_GROUPS)
    return Q(priority=Case.Priority.CHILD) | Q(Exists(child_victims))
