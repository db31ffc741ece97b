"""The desk's "Impressions en attente" card, for the portal's home page."""

from typing import Any

from django import template

from printer import services

register = template.Library()


@register.inclusion_tag("printer/_desk_card.html", takes_context=True)
def print_jobs_card(context: dict[str, Any]) -> dict[str, Any]:
    user = context["user"]
    return {"card": services.desk_card(user), "PRINTER_NAME": context.get("PRINTER_NAME")}
