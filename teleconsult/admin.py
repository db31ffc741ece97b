"""Teleconsultations in the Django admin: read-only, for support."""

from django.contrib import admin

from teleconsult.models import Teleconsultation


@admin.register(Teleconsultation)
class TeleconsultationAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "identity", "clinician", "status", "duration_minutes", "amount"]
    list_filter = ["status"]
    list_select_related = ["identity", "clinician"]
    date_hierarchy = "starts_at"
    search_fields = ["identity__birth_name", "clinician__last_name", "receipt_number"]
    readonly_fields = [field.name for field in Teleconsultation._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
