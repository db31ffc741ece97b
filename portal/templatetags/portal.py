"""Template helpers of the patient space."""

from django import template

from portal import services

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """An access-log action in words a patient understands."""
    return services.action_label(action)
