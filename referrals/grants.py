"""A referral's part in who sees a victim [SPEC 2.4, SPEC 3]: the receiving agency holds the
victim's referral summary while it works on the referral, and only while the consent it was
sent with stands; one sent by override stands on its reason. Added to the victim's grants in
ReferralsConfig.ready() (victims.grants.add_source)."""

from access.grants import scoped, table
from accounts.models import Agency
from victims.models import Consent

from .models import Referral


def referral_summary_grants(perms, victim_ids):
    """(SQL, parameters): the referral-summary grants of the victims in scope."""
    referral, agency, consent = table(Referral), table(Agency), table(Consent)
    sql = f"""
        SELECT r.victim_id, a.group_id, %(referrals_summary)s
          FROM {referral} r JOIN {agency} a ON a.id = r.to_agency_id LEFT JOIN {consent} co ON co.id = r.consent_id
         WHERE r.status = ANY(%(referrals_gives_access)s)
               AND ((r.consent_id IS NOT NULL AND co.withdrawn_on IS NULL)
                    OR (r.consent_id IS NULL AND r.consent_override_reason <> ''))
               {scoped('r.victim_id', victim_ids)}"""
    return sql, {"referrals_summary": perms["view_victim_referral"],
                 "referrals_gives_access": [str(status) for status in Referral.GIVES_ACCESS]}
