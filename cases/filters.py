"""The case list's filters: one FilterSet for the case page and GET /api/cases/, with the same
parameter names [SPEC 2.2, SPEC 3 "Interoperability"]. It narrows the cases the access policy
lets the user see and never widens them; a value it refuses (an unknown choice, a NUL byte)
is a 400 on the API and a message at its field on the page [SPEC 3 "Bad input"]."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.fields import either_select
from accounts.models import Jurisdiction

from .models import Case, ExploitationForm


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Reference or title contains"), widget=forms.SearchInput)
    stage = django_filters.ChoiceFilter(choices=Case.Stage.choices, label=_("Stage"), empty_label=_("Any stage"))
    priority = django_filters.ChoiceFilter(choices=Case.Priority.choices, label=_("Priority"),
                                           empty_label=_("Any priority"))
    exploitation_form = django_filters.ChoiceFilter(
        choices=ExploitationForm.choices, method="with_exploitation_form", label=_("Form of exploitation"),
        empty_label=_("Any form of exploitation"),
    )
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), label=_("Jurisdiction"),
                                                    empty_label=_("Any jurisdiction"))
    is_transnational = django_filters.BooleanFilter(label=_("Transnational"), widget=either_select(
        forms.NullBooleanSelect, _("National or transnational"), _("Transnational"), _("National")))
    is_restricted = django_filters.BooleanFilter(label=_("Restricted"), widget=either_select(
        forms.NullBooleanSelect, _("Restricted or not"), _("Restricted"), _("Not restricted")))

    class Meta:
        model = Case
        fields = ["q", "stage", "priority", "exploitation_form", "jurisdiction", "is_transnational", "is_restricted"]

    def search(self, cases, name, value):
        return cases.filter(Q(reference__icontains=value) | Q(title__icontains=value))

    def with_exploitation_form(self, cases, name, value):
        return cases.filter(exploitation_forms__contains=[value])
