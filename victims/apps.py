from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VictimsConfig(AppConfig):
    name = "victims"
    verbose_name = _("Victims")

    def ready(self):
        from access import declare, grants, register
        from cases.panels import CASE_PAGE

        from . import access as rules, grants as victim_grants, receivers  # noqa: F401
        from .selectors import case_victims

        register(*rules.RULES)
        declare(*rules.CAPABILITIES)
        grants.register_rebuild("victim grants", victim_grants.reconcile_victim_grants)
        CASE_PAGE.add(case_victims)
