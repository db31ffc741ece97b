"""The professionals' login and logout pages."""

from django.contrib.auth import views as auth_views

from accounts.forms import ClinicianLoginForm

login = auth_views.LoginView.as_view(
    template_name="portal/login.html",
    authentication_form=ClinicianLoginForm,
    redirect_authenticated_user=True,
)
logout = auth_views.LogoutView.as_view()
