from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        # The case rules, the case grants' share of a rebuild, and what cases answer.
        from access import declare, grants, register

        from . import access as rules, grants as case_grants, receivers  # noqa: F401

        register(*rules.RULES)
        declare(*rules.CAPABILITIES)
        grants.register_rebuild("case-team memberships", case_grants.reconcile_case_teams)
        grants.register_rebuild("case grants", case_grants.reconcile_case_grants)
