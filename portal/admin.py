"""Patient portals in the Django admin: accounts, who may open them, the consents.

Consents and accesses are evidence: admins read them and may revoke an access (which writes
the access log), never edit or delete them. Users and professional profiles: ``accounts.admin``.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from audit import services as audit
from portal import services
from portal.models import Consent, PortalAccess, PortalAccount


def _may_view_portals(request: HttpRequest, model_admin: admin.ModelAdmin, obj: object) -> bool:
    """Admins, or staff given the view permission: being staff is not enough (it showed every
    patient's portal, accesses and consents to a staff member without rights)."""
    return request.user.role == Role.ADMIN or admin.ModelAdmin.has_view_permission(
        model_admin, request, obj
    )


class ReadOnlyAdminMixin:
    """Rows kept as evidence: shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PortalAccessInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PortalAccess
    fk_name = "portal"
    fields = ("user", "quality", "created_by", "created_at", "revoked_at")
    readonly_fields = fields
    extra = 0


class ConsentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Consent
    fields = ("recorded_at", "recorded_by", "method", "wording_version", "wording")
    readonly_fields = fields
    extra = 0


@admin.register(PortalAccount)
class PortalAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("identity", "is_active", "created_by", "created_at")
    list_filter = ("is_active",)
    search_fields = ("identity__birth_name_key", "identity__first_name_key", "uuid")
    list_select_related = ("identity", "created_by")
    ordering = ("-created_at", "-pk")
    fields = ("uuid", "identity", "is_active", "created_by", "created_at")
    readonly_fields = fields
    inlines = [PortalAccessInline, ConsentInline]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _may_view_portals(request, self, obj)


@admin.register(PortalAccess)
class PortalAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "portal", "quality", "created_at", "revoked_at")
    list_filter = ("quality", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "portal__identity__birth_name_key")
    list_select_related = ("user", "portal__identity")
    ordering = ("-created_at", "-pk")
    fields = ("portal", "user", "quality", "created_by", "created_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _may_view_portals(request, self, obj)

    @admin.action(description=gettext_lazy("Revoke the selected accesses"), permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[PortalAccess]) -> None:
        revoked = services.revoke_accesses(
            accesses=list(queryset), by=request.user, ip=audit.client_ip(request)
        )
        messages.success(request, _("%(count)d access(es) revoked.") % {"count": revoked})


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("portal", "recorded_at", "recorded_by", "method", "wording_version")
    list_filter = ("method", "wording_version")
    list_select_related = ("portal__identity", "recorded_by")
    ordering = ("-recorded_at", "-pk")
    fields = ("portal", "recorded_at", "recorded_by", "method", "wording_version", "wording")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _may_view_portals(request, self, obj)
