from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "protection"
    verbose_name = _("Protection orders")

    def ready(self):
        from access import register
        from cases.panels import CASE_PAGE
        from victims.flags import add_flag
        from victims.panels import VICTIM_PAGE

        from . import access as rules
        from .flags import victim_needs_risk_reassessment
        from .selectors import case_orders, victim_orders

        register(*rules.RULES)
        CASE_PAGE.add(case_orders)
        VICTIM_PAGE.add(victim_orders)
        add_flag("risk_reassessment_flag", victim_needs_risk_reassessment)
