from django import forms
from django.contrib.postgres.fields import ArrayField
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


class ChoiceArrayField(ArrayField):
    """A PostgreSQL array of choices, edited as a list of checkboxes."""

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.base_field.choices,
            "coerce": self.base_field.to_python,
            "widget": forms.CheckboxSelectMultiple,
        }
        defaults.update(kwargs)
        # ArrayField.formfield would force its own SimpleArrayField form class.
        return super(ArrayField, self).formfield(**defaults)


class ChoiceLabels:
    """For a model whose rows fill long lists: get_FOO_display() reads a table of labels built
    once per field and language, where Django builds a dict of every choice, translating each
    label, on every call. Profiled on a court's month calendar (460 hearings), those calls were a
    fifth of the page's time. Put it before models.Model in the bases."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        key = (field, get_language())
        labels = _CHOICE_LABELS.get(key)
        if labels is None:
            if field.flatchoices is None:  # choices Django cannot list (django-countries keeps its own)
                return super()._get_FIELD_display(field)
            labels = _CHOICE_LABELS[key] = {make_hashable(v): str(label) for v, label in field.flatchoices}
        try:
            return labels.get(make_hashable(value), value)
        except TypeError:  # an unhashable value Django would show as it is
            return value


_CHOICE_LABELS = {}


def either_select(widget_class, either, yes, no):
    """The select of a yes-or-no filter with its three options named for the page: `either`
    asks nothing. `widget_class` keeps the spellings its API accepts (Django's NullBooleanSelect
    or django-filter's BooleanWidget); only the labels change."""
    widget = widget_class()
    widget.choices = [(value, label) for (value, _unnamed), label in zip(widget.choices, (either, yes, no))]
    return widget
