"""Users and professional profiles in the Django admin."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services as accounts
from accounts.models import ProfessionalProfile, User
from audit import services as audit


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ProfessionalProfileInline(admin.StackedInline):
    model = ProfessionalProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("last_name", "first_name", "email")
    list_display = (
        "email",
        "last_name",
        "first_name",
        "role",
        "is_active",
        "has_authenticator",
        "created_at",
    )
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("email", "last_name", "first_name", "professional_profile__rpps")
    readonly_fields = ("created_at", "last_login")
    inlines = [ProfessionalProfileInline]
    actions = ["reset_second_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        from django.db.models import Exists, OuterRef
        from django_otp.plugins.otp_totp.models import TOTPDevice

        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(authenticator=Exists(devices))

    @admin.display(description=_("authenticator app"), boolean=True)
    def has_authenticator(self, user: User) -> bool:
        return bool(getattr(user, "authenticator", False))

    @admin.action(description=_("Reset the authenticator app (lost phone)"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """The next login enrols a new app; the sessions the old one opened end at once."""
        for user in queryset.order_by("pk"):
            accounts.reset_second_factor(user=user, by=request.user, ip=audit.client_ip(request))
        count = queryset.count()
        message = ngettext(
            "Authenticator reset for %(count)d account: a new app is set up at its next login.",
            "Authenticator reset for %(count)d accounts: a new app is set up at their next login.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def get_inlines(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The professional profile is filled in once the account exists.
        return self.inlines if obj is not None else []

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name", "role")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "created_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


@admin.register(ProfessionalProfile)
class ProfessionalProfileAdmin(admin.ModelAdmin):
    """A professional's profile, and the way to their entry in the professionals directory."""

    list_display = ("user", "rpps", "profession", "specialty", "organisation", "directory_entry")
    list_filter = ("profession",)
    search_fields = ("rpps", "user__email", "user__last_name")
    list_select_related = ("user",)
    ordering = ("user__last_name", "user__first_name", "pk")
    autocomplete_fields = ("user",)
    readonly_fields = ("directory_entry",)

    @admin.display(description=_("directory entry"))
    def directory_entry(self, profile: ProfessionalProfile) -> str:
        # The directory belongs to the documents app, a higher layer: linked by URL, not import.
        url = reverse("admin:documents_professional_changelist")
        return format_html('<a href="{}?q={}">{}</a>', url, profile.rpps, _("directory entry"))
