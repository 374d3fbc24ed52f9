from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from failover.models import SiteState


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong user name or password.",
    }

    def clean(self):
        if SiteState.load().sign_in_blocked:
            raise ValidationError(
                "Sign-in is paused while a role swap copies this site's data to its peer; "
                "try again when the swap has finished.",
                code="swap_in_progress",
            )
        return super().clean()


sign_in = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=SignInForm,
    redirect_authenticated_user=True,
)
sign_out = auth_views.LogoutView.as_view()
