from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from access import declare, register
        from victims.grants import add_source
        from victims.panels import VICTIM_PAGE

        from . import access as rules
        from .grants import referral_summary_grants
        from .selectors import victim_referrals

        register(*rules.RULES)
        declare(*rules.CAPABILITIES)
        add_source(referral_summary_grants)
        VICTIM_PAGE.add(victim_referrals)
