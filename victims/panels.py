"""The victim's page, which the apps above victims add panels to (referrals, protection
orders, deadlines): see cases.panels."""

from cases.panels import Panels

VICTIM_PAGE = Panels("victim")
