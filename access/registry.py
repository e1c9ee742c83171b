"""Where the access policy finds its rules and capabilities.

Each domain app declares the rules for its own models in its `access.py` and registers them
in its AppConfig.ready(), as Django's admin registers ModelAdmins: the policy itself imports
no domain app, and a model without a registered rule has no access at all (rule_for raises).
Capabilities are the function-only questions (may this user open a case, read the access
log, see a dashboard) that concern no one object: declared here too, so that every decision
about access is one lookup in one registry.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.functions import Function

_RULES = {}


def register(*rules):
    """Register ObjectRules (each for its `model`); a model gets one rule only."""
    for rule in rules:
        if rule.model in _RULES:
            raise ValueError(f"{rule.model.__name__} already has a rule: {type(_RULES[rule.model]).__name__}")
        _RULES[rule.model] = rule


def rule_for(model):
    """The rule for a model, its instance or queryset, or an "app_label.Model" name."""
    if isinstance(model, str):
        model = apps.get_model(model)
    elif isinstance(model, QuerySet):
        model = model.model
    elif isinstance(model, Model):
        model = type(model)
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"The access policy has no rule for {model.__name__}") from None


def rules():
    """{model: rule} of every registered rule."""
    return dict(_RULES)


@dataclass(frozen=True)
class Capability:
    """Something a person's function lets them do that concerns no one object: `functions`
    may; `also`, when given, is a further test of the user (their agency's kind, say)."""

    name: str
    label: str
    functions: frozenset
    also: object = None  # (user) -> bool

    def __post_init__(self):
        object.__setattr__(self, "functions", frozenset(self.functions))


def works_for_an_open_agency(user):
    """Acting on behalf of an agency that is open (opening cases, recording victims)."""
    return bool(user.agency_id) and user.agency.is_active


# The policy's own: reading the access log is the auditors' [SPEC 3].
_CAPABILITIES = {"read_access_log": Capability("read_access_log", _("read the access log"), {Function.AUDITOR})}


def declare(*declared):
    """Declare Capabilities (each name once): the apps declare theirs in their ready()."""
    for one in declared:
        if one.name in _CAPABILITIES:
            raise ValueError(f"The capability {one.name!r} is declared twice.")
        _CAPABILITIES[one.name] = one


def capability(name):
    try:
        return _CAPABILITIES[name]
    except KeyError:
        raise LookupError(f"The access policy declares no capability {name!r}") from None


def capabilities():
    return dict(_CAPABILITIES)
