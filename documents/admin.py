"""The professionals directory in the Django admin."""

from django.contrib import admin
from django.http import HttpRequest

from documents.models import Delivery, Dispatch, Document, DocumentType, Organisation, Professional


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


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "code_system", "position", "is_active")
    list_editable = ("position", "is_active")
    ordering = ("position", "label")
    search_fields = ("label", "code")


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("portal", "professional", "first_read_at", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    model = Document
    fields = (
        "name",
        "document_type",
        "content_type",
        "size",
        "sha256",
        "scan_status",
        "scan_signature",
        "scanned_at",
        "created_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "identity", "sender", "source", "copy_to_patient", "status")
    list_filter = ("status", "source", "copy_to_patient")
    search_fields = ("=uuid", "sender__email", "identity__birth_name_key")
    ordering = ("-created_at", "-pk")
    readonly_fields = (
        "uuid",
        "identity",
        "sender",
        "source",
        "copy_to_patient",
        "idempotency_key",
        "status",
        "created_at",
    )
    inlines = [DocumentInline, DeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
