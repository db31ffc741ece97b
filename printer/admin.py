from django.contrib import admin

from printer.models import PrinterToken, PrintJob


@admin.register(PrintJob)
class PrintJobAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "state", "created_at", "expires_at", "dispatch"]
    list_filter = ["state"]
    search_fields = ["name", "owner__email"]
    readonly_fields = [field.name for field in PrintJob._meta.fields if field.name != "id"]
    exclude = ["professionals"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(PrinterToken)
class PrinterTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["user", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
