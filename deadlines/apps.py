from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines and notifications")

    def ready(self):
        from access import register

        from . import access as rules, signals  # noqa: F401

        register(*rules.RULES)
