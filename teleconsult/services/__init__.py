"""Use cases of the teleconsultation: plan, reschedule, cancel, join, finalise, the agenda.

A package, one module per topic; this module exports what views, tasks and other apps call.
"""

from teleconsult.services.agenda import (
    Agenda,
    agenda,
    desk_summary,
    get_teleconsultation_for_clinician,
    has_teleconsultation_with,
)
from teleconsult.services.errors import MAX_DURATION_MINUTES, RECEIPT_TYPE_CODE, TeleconsultError
from teleconsult.services.finalisation import (
    Finalisation,
    default_amount,
    finalise_teleconsultation,
    format_euros,
    receipt_number,
    receipt_type,
    render_receipt,
)
from teleconsult.services.planning import (
    cancel_teleconsultation,
    plan_teleconsultation,
    reschedule_teleconsultation,
    sent_messages,
)
from teleconsult.services.video import (
    JoinState,
    get_by_join_token,
    join_state,
    join_url,
    room_url,
    video_api_script,
)

__all__ = [
    "MAX_DURATION_MINUTES",
    "RECEIPT_TYPE_CODE",
    "Agenda",
    "Finalisation",
    "JoinState",
    "TeleconsultError",
    "agenda",
    "cancel_teleconsultation",
    "default_amount",
    "desk_summary",
    "finalise_teleconsultation",
    "format_euros",
    "get_by_join_token",
    "get_teleconsultation_for_clinician",
    "has_teleconsultation_with",
    "join_state",
    "join_url",
    "plan_teleconsultation",
    "receipt_number",
    "receipt_type",
    "render_receipt",
    "reschedule_teleconsultation",
    "room_url",
    "sent_messages",
    "video_api_script",
]
