from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines and notifications")

    def ready(self):
        from access import register
        from cases.panels import CASE_PAGE
        from victims.panels import VICTIM_PAGE

        from . import access as rules, signals  # noqa: F401
        from .selectors import case_deadlines, victim_deadlines

        register(*rules.RULES)
        CASE_PAGE.add(case_deadlines)
        VICTIM_PAGE.add(victim_deadlines)
