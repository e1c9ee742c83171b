from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Dashboards and reports")

    def ready(self):
        from access import declare, register

        from . import access as rules

        register(*rules.RULES)
        declare(*rules.CAPABILITIES)
