"""The access log in the Django admin: read-only, in words rather than codes."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.labels import action_label, object_type_label
from audit.models import AccessLog


class _LabelledFilter(admin.SimpleListFilter):
    """A filter on a code column whose choices read as words, every one with a text."""

    field = ""

    def label(self, value: str) -> str:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        values = AccessLog.objects.order_by().values_list(self.field, flat=True).distinct()
        return sorted(((value, self.label(value)) for value in values), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[AccessLog]) -> QuerySet[AccessLog]:
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.field: self.value()})


class ActionFilter(_LabelledFilter):
    title = _("action")
    parameter_name = field = "action"

    def label(self, value: str) -> str:
        return action_label(value)


class ObjectTypeFilter(_LabelledFilter):
    title = _("object type")
    parameter_name = field = "object_type"

    def label(self, value: str) -> str:
        return object_type_label(value)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action_label", "object_label", "object_id", "outcome")
    list_filter = (ActionFilter, "outcome", ObjectTypeFilter)
    search_fields = ("object_id", "actor__email", "action")
    ordering = ("-created_at", "-pk")
    date_hierarchy = "created_at"

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry: AccessLog) -> str:
        return action_label(entry.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_label(self, entry: AccessLog) -> str:
        return object_type_label(entry.object_type)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
