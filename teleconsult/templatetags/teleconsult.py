"""The desk's "Mes téléconsultations" card, drawn by the teleconsult app (the desk, in the
portal app below it, only loads this tag: no import goes upward)."""

from typing import Any

from django import template

from teleconsult import services

register = template.Library()


@register.inclusion_tag("teleconsult/_desk_card.html")
def teleconsultations_card(user: Any) -> dict[str, Any]:
    following, to_finalise = services.desk_summary(user=user)
    return {"following": following, "to_finalise": to_finalise}
