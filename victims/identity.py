"""The only way victim identity leaves the database: ask the policy, then log the read."""

from dataclasses import dataclass

import unicodedata

from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import Lower, Replace
from django_countries import countries

import access
from accounts.audit import log_access
from accounts.models import AccessLog

from .models import IDENTITY_FIELDS, SHELTER_FIELDS, Victim, VictimIdentity


@dataclass(frozen=True)
class RevealedIdentity:
    """The identity as one reader may see it [SPEC 2.3]: the mailing address and the shelter
    location are None unless the reader may see them (the supporting NGO), never merely empty."""

    full_name: str
    given_names: str
    family_name: str
    aliases: str
    date_of_birth: object
    salutation: str
    title: str
    email: str
    home_phone: str
    mobile_phone: str
    contact: str
    guardian: str
    accompanying_adult: str
    # None: not for this user (supporting NGO only).
    mailing_street: str | None
    mailing_city: str | None
    mailing_state: str | None
    mailing_postal_code: str | None
    mailing_country: str | None  # the ISO 3166 code
    shelter_location: str | None

    @property
    def mailing_address(self):
        """The address parts as the lines of one address ("" when none is recorded), or None
        when the reader may not see it."""
        if self.mailing_street is None:
            return None
        town = " ".join(part for part in (self.mailing_postal_code, self.mailing_city) if part)
        country = countries.name(self.mailing_country) if self.mailing_country else ""
        lines = (self.mailing_street.strip(), town, self.mailing_state, country)
        return "\n".join(line for line in lines if line)


def reveal_identity(user, victim, *, purpose):
    """The victim's identity for `user`, or None if the policy does not allow it. Every read is
    logged; the address parts and the shelter location only for "view_shelter" [SPEC 2.3]."""
    if not access.can(user, "view_identity", victim):
        return None
    identity = VictimIdentity.objects.filter(victim=victim).first() or VictimIdentity(victim=victim)
    log_access(user, AccessLog.Action.VIEW_IDENTITY, [victim], purpose=purpose)
    values = {name: getattr(identity, name) for name in (*IDENTITY_FIELDS, *SHELTER_FIELDS)}
    # A Country object has no place outside the database layer: its code is what is exchanged.
    values["mailing_country"] = identity.mailing_country.code or ""
    if not access.can(user, "view_shelter", victim):
        values.update(dict.fromkeys(SHELTER_FIELDS))
    return RevealedIdentity(full_name=identity.full_name, **values)


def _letter_folds():
    """Lower-case letters with marks (Latin-1 and Latin Extended-A) and their plain letter."""
    folds = {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "ŧ": "t"}
    for code in range(0xC0, 0x180):
        letter = chr(code).lower()
        plain = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
        if len(letter) == 1 and len(plain) == 1 and plain.isascii() and plain != letter:
            folds.setdefault(letter, plain)
    return folds


_FOLDS = _letter_folds()
_FROM, _TO = "".join(_FOLDS), "".join(_FOLDS.values())
_DIGRAPHS = {"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}


class _Translate(Func):
    function = "TRANSLATE"
    output_field = TextField()


def folded(expression):
    """`expression` in lower case with accents taken off, in SQL (no database extension
    needed): "João" and "JOAO" both become "joao", "Søren Straße" "soren strasse"."""
    text = _Translate(Lower(expression), Value(_FROM), Value(_TO))
    for letter, plain in _DIGRAPHS.items():
        text = Replace(text, Value(letter, output_field=TextField()), Value(plain, output_field=TextField()))
    return text


def search_by_name(user, victims, text):
    """`victims` narrowed to those whose name or alias matches every word of `text`, among the
    victims whose identity `user` may see. Finding someone by name is reading their identity:
    the caller logs each one it shows (and refuses the search to those with no identity right).
    Case and accents are ignored on both sides: each agency that meets a person writes the
    name down its own way."""
    readable = access.visible(user, Victim, "view_identity").annotate(
        name_given=folded("identity__given_names"), name_family=folded("identity__family_name"),
        name_aliases=folded("identity__aliases"))
    for word in text.split():
        word = folded(Value(word))
        readable = readable.filter(Q(name_given__contains=word) | Q(name_family__contains=word)
                                   | Q(name_aliases__contains=word))
    return victims.filter(pk__in=readable.values("pk"))
