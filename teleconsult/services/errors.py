"""What the teleconsultation's services refuse, and their limits."""

from accounts.exceptions import Refused

MAX_DURATION_MINUTES = 240
# The receipt's document type (see the data migration and the README): "to confirm" with the
# region, as DOMAIN.md asks for codes the CI-SIS value set does not settle.
RECEIPT_TYPE_CODE = "FACTURE-TLM"


class TeleconsultError(Refused):
    """A refused operation; the message is safe to show, beside ``field`` when it is set."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
