from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import render

from failover.access import client_address
from failover.models import SiteState
from failover.sign_in_limits import locked_out


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


_login_view = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=SignInForm,
    redirect_authenticated_user=True,
)


def sign_in(request):
    """The sign-in page; locked out, like django-axes' own lock, when a user
    name or an address has failed too often."""
    if request.method == "POST" and locked_out(
        request.POST.get("username", ""), client_address(request)
    ):
        return render(
            request,
            settings.AXES_LOCKOUT_TEMPLATE,
            {"cooloff_timedelta": settings.AXES_COOLOFF_TIME},
            status=429,
        )
    return _login_view(request)


sign_out = auth_views.LogoutView.as_view()
