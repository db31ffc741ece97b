"""The outbox and captured development messages in the Django admin."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from notifications import services
from notifications.models import DevMessage, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "template",
        "status",
        "attempts",
        "error_code",
    )
    list_filter = ("status", "channel", "template")
    search_fields = ("=recipient", "=provider_id", "object_key")
    ordering = ("-created_at", "-pk")
    date_hierarchy = "created_at"
    actions = ["resend"]
    exclude = ("body", "html_body")  # may hold a one-time code until sent
    readonly_fields = [
        field.name for field in Notification._meta.fields if field.name not in ("body", "html_body")
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Send the selected failed notifications again"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        sent = 0
        for notification in queryset.order_by("pk"):
            try:
                services.resend_notification(
                    notification=notification, by=request.user, ip=audit.client_ip(request)
                )
            except services.InvalidRecipient as error:
                self.message_user(request, f"{notification}: {error}", messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                _("%(count)d notification(s) queued again.") % {"count": sent},
                messages.SUCCESS,
            )


@admin.register(DevMessage)
class DevMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject")
    list_filter = ("channel",)
    search_fields = ("recipient", "subject")
    ordering = ("-created_at", "-pk")
    readonly_fields = ("channel", "recipient", "subject", "body", "html_body", "created_at")
