"""The victim list's filters: one FilterSet for the victim page and GET /api/victims/, with the
same parameter names [SPEC 2.3, SPEC 3 "Interoperability"]. It narrows the victims the access
policy lets the user see; a value it refuses is a 400 on the API and a message at its field
on the page [SPEC 3 "Bad input"].

The name search looks only among the victims whose identity the user may see; it is refused
(and the refusal logged) to whoever may see no identity at all [SPEC 2.3, 2.9]. Logging the
victims it finds is the list's part: it knows which rows it shows."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

import access
from accounts.audit import log_access
from accounts.models import AccessLog

from .identity import search_by_name
from .models import Gender, Victim


def may_search_names(user):
    return access.may_use(user, Victim, "view_identity")


class VictimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_code", label=_("Victim code contains"), widget=forms.SearchInput)
    name = django_filters.CharFilter(
        method="search_name", widget=forms.SearchInput, label=_("Name or alias"),
        help_text=_("Name or alias; each word must match. Only among the victims whose identity you may see; "
                    "refused without any right to identity, and every victim it finds is logged with your name."),
    )
    status = django_filters.ChoiceFilter(choices=Victim.Status.choices, label=_("Status"),
                                         empty_label=_("Any status"))
    age_group = django_filters.ChoiceFilter(choices=Victim.AgeGroup.choices, label=_("Age group"),
                                            empty_label=_("Any age group"))
    sex = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Sex / gender"), empty_label=_("Any"))
    nationality = django_filters.ChoiceFilter(choices=Victim._meta.get_field("nationality").choices,
                                              label=_("Nationality"), empty_label=_("Any nationality"))

    class Meta:
        model = Victim
        fields = ["q", "name", "status", "age_group", "sex", "nationality"]

    def __init__(self, *args, purpose="api", **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose = purpose  # what a refused name search is logged as

    def search_code(self, victims, name, value):
        return victims.filter(code__icontains=value)

    def search_name(self, victims, name, value):
        user = self.request.user
        if not may_search_names(user):
            log_access(user, AccessLog.Action.DENIED, requested="name search", purpose=self.purpose)
            # Django's PermissionDenied: a 403 with this message on the page and in the API alike.
            raise PermissionDenied(_("You are not allowed to search victims by name."))
        return search_by_name(user, victims, value)

    def searches_names(self):
        """Whether the name filter narrowed the rows: each one shown is then an identity read."""
        if not self.is_bound:
            return False
        self.is_valid()  # cleaned_data holds the values that were applied
        return bool(self.form.cleaned_data.get("name"))
