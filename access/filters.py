"""The access log's filters [SPEC 2.9]: who looked at this victim or case, what one person did,
which refusals there were. A value it refuses is a message at its field, never a 500 [SPEC 3
"Bad input"]. The log has no API list: it is read on its page, by auditors."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog


class AccessLogFilter(django_filters.FilterSet):
    object = django_filters.CharFilter(field_name="object_label", lookup_expr="iexact", widget=forms.SearchInput,
                                       label=_("Victim code or case reference"))
    user = django_filters.CharFilter(field_name="username", lookup_expr="iexact", widget=forms.SearchInput,
                                     label=_("Username"))
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, label=_("Action"),
                                         empty_label=_("Any action"))

    class Meta:
        model = AccessLog
        fields = ["object", "user", "action"]
