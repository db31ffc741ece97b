"""The admin site behind the professionals' login: both factors, or no admin page at all."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts import sessions


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and sessions.is_verified(request)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # One login for everyone who works here, with its second factor and its lockout.
        if request.method == "GET" and self.has_permission(request):
            return redirect(self.index_url())  # already in, as Django's own login does
        if request.user.is_authenticated and sessions.is_verified(request):
            raise PermissionDenied  # logged in with both factors, but not an admin
        return redirect_to_login(request.GET.get("next", self.index_url()), "portal:login")

    def logout(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The portal's logout, so that an admin logged in with Pro Santé Connect leaves it too.
        from accounts.views import logout

        return logout(request)

    def index_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:index", current_app=self.name)
