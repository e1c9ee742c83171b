"""What every collection of a victim's records shares: the victim as parent (asked of the
access policy and locked), `?victim=` filtering, stable ordering, and read checks on writes."""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, permissions, serializers, viewsets

import access
from access.drf import NOT_FOUND, ModelRulesSerializer, PolicyParentField, PolicyViewSetMixin

from ..models import (
    Victim,
)



def victim_field(model):
    """The victim a record is added to: adding needs the victim actions that read and change
    this part of the victim's file (nobody adds to what they may not read)."""
    actions = access.rule_for(model).victim_actions
    return PolicyParentField(Victim, dict.fromkeys((actions["view"], actions["change"])))


def victim_filter(model, fields=()):
    """`?victim=<id>` (and the model's own filters) for a list of a victim's records."""

    class Meta:
        pass

    Meta.model, Meta.fields = model, list(fields)
    attrs = {"victim": django_filters.NumberFilter(field_name="victim", label=_("Victim")), "Meta": Meta}
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,), attrs)


class VictimRecordsMixin(PolicyViewSetMixin):
    """Subclasses name the serializer and the related rows to load; the queryset, its stable
    order and the `?victim=` filter follow."""

    related = ()
    filter_fields = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.serializer_class is None:  # an abstract base
            return
        model = cls.serializer_class.Meta.model
        queryset = model.objects.select_related("victim", *cls.related)
        cls.queryset = queryset if model._meta.ordering else queryset.order_by("pk")  # stable pages
        cls.filterset_class = victim_filter(model, cls.filter_fields)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            # A change answers with the record: whoever may change a part of the file but not
            # read it (identity documents, relatives) gets what a hidden record gets.
            try:
                access.require(self.request.user, "view", obj, purpose="api")
            except Http404:
                raise exceptions.NotFound(NOT_FOUND) from None
        return obj


class VictimSectionViewSet(VictimRecordsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """A part of the victim's file."""


class AppendOnlyViewSet(VictimSectionViewSet):
    """Records that are added, never rewritten."""

    http_method_names = ["get", "post", "head", "options"]


class ReadOnlySectionViewSet(VictimRecordsMixin, viewsets.ReadOnlyModelViewSet):
    pass


class VictimRecordSerializer(ModelRulesSerializer):
    """A record of one victim: `victim` names it when adding and is fixed afterwards."""

    parent_field = "victim"
    victim_code = serializers.CharField(source="victim.code", read_only=True)

    def actor(self):
        return self.context["request"].user
