from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = _("Court calendars and hearings")

    def ready(self):
        from access import register
        from cases.panels import CASE_PAGE
        from deadlines.sweep import add_source

        from . import access as rules, reminders
        from .selectors import case_hearings

        register(*rules.RULES)
        CASE_PAGE.add(case_hearings)
        add_source(reminders.SOURCE)
