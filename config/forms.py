"""The project's form renderer: every {{ form }} and {{ field.as_field_group }} is laid out by
templates/forms/form.html and templates/forms/field.html (labels around their inputs as Pico
styles them, help text, errors with role=alert), the widgets by Django's own templates."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
