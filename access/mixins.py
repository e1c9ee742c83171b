from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django import forms

import access
from accounts.versioning import check_version


class PolicyObjectMixin(LoginRequiredMixin):
    """Detail and edit pages: the object is fetched, then the access policy decides.

    The policy logs the refusal and answers 404 to someone who may not see the object at all.
    """

    model = None
    policy_action = "view"

    def get_object(self, queryset=None):
        queryset = queryset if queryset is not None else self.get_queryset()
        writing = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return access.load_or_404(self.request.user, queryset, self.policy_action, for_update=writing,
                                   pk=self.kwargs["pk"])


class PolicyListMixin(LoginRequiredMixin):
    """List pages show exactly what the policy lets the user see, in one query."""

    policy_annotations = ()

    def get_queryset(self):
        return access.with_permissions(self.request.user, super().get_queryset(), *self.policy_annotations)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access.record_shown(self.request.user, context["object_list"], purpose="list")
        return context


class FilteredListMixin:
    """A list page reads its parameters through the FilterSet of its API list, so both answer
    the same rows to the same parameters [SPEC 3 "Interoperability"]. The FilterSet narrows
    what `get_queryset` gives (the rows the policy lets the user see); a value it refuses
    filters nothing and is shown at its field, on a page answered as usual (200) [SPEC 3 "Bad
    input"]. The template has it as `filter`."""

    filterset_class = None

    def filter_data(self):
        return self.request.GET

    def filterset_kwargs(self):
        return {}

    def unfiltered_queryset(self):
        """What the filters narrow: the view's queryset (with PolicyListMixin, the policy's rows)."""
        return super().get_queryset()

    def get_queryset(self):
        self.filterset = self.filterset_class(self.filter_data(), queryset=self.unfiltered_queryset(),
                                              request=self.request, **self.filterset_kwargs())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class VersionedFormMixin:
    """Optimistic locking for ModelForms on models with a `version` column: the form carries
    the version it was loaded at, and an edit of a record changed since then is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=self.instance.version)

    def clean(self):
        cleaned = super().clean()
        check_version(self.instance, cleaned.get("version"))
        return cleaned


def add_errors(form, error):
    """A service's ValidationError on the form: on its field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class CapabilityRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Pages for those who hold a declared capability (access.may): others signed in get 403,
    anonymous ones the login page."""

    capability = None

    def test_func(self):
        return access.may(self.request.user, self.capability)
