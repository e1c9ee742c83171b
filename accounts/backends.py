from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    """Django's, loading the person's agency with them: every page and the access policy ask
    for it, so a signed-in request spends one query on who is asking, not two."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("agency").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
