"""The only way victim identity leaves the database: ask the policy, then log the read."""

from dataclasses import dataclass

from django.db.models import Q

from accounts import policy
from accounts.audit import log_access
from accounts.models import AccessLog

from .models import Victim, VictimIdentity


@dataclass(frozen=True)
class RevealedIdentity:
    full_name: str
    given_names: str
    family_name: str
    aliases: str
    date_of_birth: object
    contact: str
    guardian: str
    accompanying_adult: str
    address: str | None  # None: not for this user (supporting NGO only)
    shelter_location: str | None


def reveal_identity(user, victim, *, purpose):
    """The victim's identity for `user`, or None if the policy does not allow it."""
    if not policy.can(user, "view_identity", victim):
        return None
    identity = VictimIdentity.objects.filter(victim=victim).first() or VictimIdentity(victim=victim)
    log_access(user, AccessLog.Action.VIEW_IDENTITY, [victim], purpose=purpose)
    shelter = policy.can(user, "view_shelter", victim)
    return RevealedIdentity(
        full_name=identity.full_name,
        given_names=identity.given_names,
        family_name=identity.family_name,
        aliases=identity.aliases,
        date_of_birth=identity.date_of_birth,
        contact=identity.contact,
        guardian=identity.guardian,
        accompanying_adult=identity.accompanying_adult,
        address=identity.address if shelter else None,
        shelter_location=identity.shelter_location if shelter else None,
    )


def search_by_name(user, victims, text):
    """`victims` narrowed to those whose name or alias matches every word of `text`, among the
    victims whose identity `user` may see. Finding someone by name is reading their identity:
    the caller logs each one it shows (and refuses the search to those with no identity right)."""
    readable = policy.visible(user, Victim, "view_identity")
    for word in text.split():
        readable = readable.filter(Q(identity__given_names__icontains=word) | Q(identity__family_name__icontains=word)
                                   | Q(identity__aliases__icontains=word))
    return victims.filter(pk__in=readable.values("pk"))
