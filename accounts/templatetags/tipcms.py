from django import template

register = template.Library()


@register.filter
def choice_labels(obj, field_name):
    """The display labels of a multiple-choice array field, joined: {{ case|choice_labels:"exploitation_forms" }}.
    By commas, or by semicolons where a label holds a comma of its own (industries: "Agriculture,
    forestry and fishing")."""
    field = obj._meta.get_field(field_name)
    labels = dict(field.base_field.choices)
    shown = [str(labels.get(value, value)) for value in getattr(obj, field_name) or []]
    return ("; " if any("," in label for label in shown) else ", ").join(shown)


@register.filter
def country_names(countries):
    return ", ".join(country.name for country in countries or [])
