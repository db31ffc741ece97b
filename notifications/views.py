"""The dev outbox: every email and SMS the development backends captured (DEBUG only)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications.models import DevMessage

DEV_OUTBOX_SIZE = 100


@require_GET
@never_cache
def dev_outbox(request: HttpRequest) -> HttpResponse:
    if not settings.DEV_OUTBOX:
        raise Http404
    messages = DevMessage.objects.order_by("-created_at", "-pk")[:DEV_OUTBOX_SIZE]
    return render(request, "notifications/dev_outbox.html", {"dev_messages": messages})
