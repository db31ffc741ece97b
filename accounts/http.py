"""The view side of the domain exceptions: a refusal becomes an error beside the form.

(``NotFound`` and ``NotAllowed`` need nothing in the views: ``accounts.middleware`` answers
them with a 404 and a 403.)
"""

from collections.abc import Callable

from django import forms

from accounts.exceptions import Refused


def refusal_as_form_error[T](
    form: forms.BaseForm, call: Callable[[], T], *, field: str | None = None
) -> T | None:
    """Run one service call; a refusal puts its message on the form and gives None."""
    try:
        return call()
    except Refused as error:
        form.add_error(field, str(error))
        return None
