"""Domain exceptions every app may raise from its services; views map them to HTTP.

They sit at the floor so that any layer can raise them without knowing about HTTP:
``NotFound`` becomes a 404, ``NotAllowed`` a 403 (or a 404 where a hint would leak), and
``Refused(message)`` a form error whose message is safe to show.
"""


class NotFound(Exception):
    """The object does not exist, or the acting user may not know that it does."""


class NotAllowed(Exception):
    """The acting user may not do this."""


class Refused(Exception):
    """A refused operation; the message is safe to show to the user."""
