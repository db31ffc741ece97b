"""Moved to ``accounts.decorators``; kept so that branches written before the move still import.

New code imports ``from accounts.decorators import clinician_required``.
"""

from accounts.decorators import clinician_required, patient_required

__all__ = ["clinician_required", "patient_required"]
