"""Kept because landed migrations (portal 0001, documents 0001) import ``portal.validators``.

The validator lives in ``accounts.validators``; new code imports it from there.
"""

from accounts.validators import validate_rpps

__all__ = ["validate_rpps"]
