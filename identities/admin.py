"""Identities in the Django admin."""

from django.contrib import admin

from identities.models import Identity


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = (
        "birth_name",
        "used_name",
        "first_name",
        "birth_date",
        "sex",
        "status",
        "is_active",
    )
    list_filter = ("status", "sex", "is_active", "birthplace_kind")
    search_fields = ("birth_name", "used_name", "first_name", "birthplace_code")
    ordering = ("birth_name", "first_name", "birth_date", "pk")
    readonly_fields = ("created_by", "created_at", "merged_into")
    date_hierarchy = "birth_date"

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        # Identitovigilance: an identity is deactivated or merged, never deleted.
        return False
