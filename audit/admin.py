"""The access log in the Django admin: read-only."""

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_type", "object_id", "outcome")
    list_filter = ("action", "outcome", "object_type")
    search_fields = ("object_id", "actor__email", "action")
    ordering = ("-created_at", "-pk")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
