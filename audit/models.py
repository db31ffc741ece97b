"""The access log: who did what to which patient data, when, from where, with what outcome.

The floor, with ``notifications``: every app records here, it calls nobody. Rows are only ever
inserted: on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE, except the purge of
rows past the retention period (``manage.py purge_access_log``, ``audit.services.purge``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        DENIED = "denied", _("Denied")
        FAILURE = "failure", _("Failure")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        # In the admin's title: Paris time, like the list, and the action in words.
        from audit.labels import action_label

        at = timezone.localtime(self.created_at)
        return _("%(action)s on %(date)s at %(time)s") % {
            "action": action_label(self.action),
            "date": f"{at:%d/%m/%Y}",
            "time": f"{at:%H:%M}",
        }
