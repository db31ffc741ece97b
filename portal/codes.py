"""One-time codes: 6 digits from ``secrets``, kept only as an HMAC bound to their attempt."""

import hmac
import secrets

from django.utils.crypto import salted_hmac

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hmac(*, challenge_id: object, code: str) -> str:
    """The HMAC of a code for one attempt: the same code for another attempt does not match."""
    return salted_hmac(
        "portal.one-time-code", f"{challenge_id}:{code}", algorithm="sha256"
    ).hexdigest()


def code_matches(*, challenge_id: object, code: str, expected_hmac: str) -> bool:
    candidate = "".join(code.split())
    if not (len(candidate) == CODE_DIGITS and candidate.isdigit()):
        return False
    return hmac.compare_digest(code_hmac(challenge_id=challenge_id, code=candidate), expected_hmac)


def new_token() -> str:
    """A URL-safe secret for activation links (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return salted_hmac("portal.activation-link", token, algorithm="sha256").hexdigest()
