"""The professionals directory in the Django admin."""

from django.contrib import admin

from documents.models import Organisation, Professional


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "finess")
    list_filter = ("kind",)
    search_fields = ("name", "finess")
    ordering = ("name", "pk")


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "profession", "specialty", "rpps", "organisation")
    list_filter = ("profession",)
    search_fields = ("last_name", "first_name", "rpps", "organisation__name")
    ordering = ("last_name", "first_name", "pk")
    autocomplete_fields = ("organisation", "user")
