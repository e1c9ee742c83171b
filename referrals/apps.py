from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from access import declare, register
        from victims.grants import add_source

        from . import access as rules
        from .grants import referral_summary_grants

        register(*rules.RULES)
        declare(*rules.CAPABILITIES)
        add_source(referral_summary_grants)
