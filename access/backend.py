from . import can, rule_for


class PolicyBackend:
    """Answers user.has_perm("app.codename", obj) through the access policy.

    Model-level permissions (obj=None) are left to ModelBackend; a raw guardian grant alone
    never answers an object question.
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None:
            return False
        try:
            rule = rule_for(obj)
        except LookupError:
            return False
        codename = perm.split(".", 1)[-1]
        for name, action in rule.actions.items():
            if action.permission == codename:
                return can(user_obj, name, obj)
        return False
