"""Captured development messages in the Django admin."""

from django.contrib import admin

from notifications.models import DevMessage


@admin.register(DevMessage)
class DevMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject")
    list_filter = ("channel",)
    search_fields = ("recipient", "subject")
    ordering = ("-created_at", "-pk")
    readonly_fields = ("channel", "recipient", "subject", "body", "html_body", "created_at")
