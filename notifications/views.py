"""The dev outbox page (DEBUG only) and Twilio's delivery status callback."""

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from notifications import services

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def dev_outbox(request: HttpRequest) -> HttpResponse:
    if not settings.DEV_OUTBOX:
        raise Http404
    messages = services.dev_outbox_messages()
    return render(request, "notifications/dev_outbox.html", {"dev_messages": messages})


@csrf_exempt  # Twilio cannot hold a CSRF token: its signature authenticates the request instead.
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's delivery report for one SMS, signed with our auth token."""
    from twilio.request_validator import RequestValidator

    url = settings.TWILIO_STATUS_CALLBACK or request.build_absolute_uri()
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    if not settings.TWILIO_AUTH_TOKEN or not validator.validate(
        url, request.POST.dict(), signature
    ):
        logger.warning("Twilio status callback with a bad signature refused")
        return HttpResponse(status=403)
    services.record_delivery_status(
        provider_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=200)
