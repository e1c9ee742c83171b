"""Signals other apps listen to, so that cases need not know them."""

from django.dispatch import Signal

# Sent inside the transaction that changed a case team (an assignment given, handed over or
# ended). `handed_over` maps each person who left a function to whoever holds that function
# now, or None when nobody does: what the person answered for passes on [GP 15].
case_team_changed = Signal()

# Sent inside the transaction that reconciled a case's grants (cases.grants.sync_case_grants):
# the grants of its victims follow them (victims.receivers).
case_grants_changed = Signal()
