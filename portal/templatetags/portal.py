"""Template helpers of the patient space."""

from django import template

from portal import services

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """An access-log action in words a patient understands."""
    return services.action_label(action)


@register.filter
def titled_name(user: object) -> str:
    """A professional's name with their profession's title ("Dr"), or none."""
    from accounts.professions import titled_name as _titled_name

    return _titled_name(user)
