"""Signals accounts sends, so that the apps above it react without accounts knowing them."""

from django.dispatch import Signal

# Sent inside the transaction of accounts.services.change_agency when someone leaves an
# agency (for another, or for none), with `user` (already at their new agency, or none) and
# `agency`, the one left. What they did for it ends with it: cases ends their case-team
# assignments, so the functions they held there pass to whoever holds them next [GP 15].
agency_left = Signal()
