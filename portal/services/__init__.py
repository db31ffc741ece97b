"""Use cases of the accounts: logins, patient portals, one-time codes, sessions.

A package, one module per topic; this module exports what other apps may call.
"""

from portal.services.activation import get_activation_link, start_activation
from portal.services.care import has_care_relationship, register_care_relationship
from portal.services.challenges import (
    CODE_MAX_FAILURES,
    CODE_VALIDITY,
    HARD_LOCK,
    HARD_LOCK_FAILURES,
    MAX_WAIT_SECONDS,
    RESEND_COOLDOWN_SECONDS,
    SEND_WINDOW_SECONDS,
    SENDS_PER_WINDOW,
    challenge_method,
    resend_code,
    verify_code,
)
from portal.services.changes import UNDO_DAYS, recent_changes, undo_change
from portal.services.contacts import (
    confirm_lost_phone,
    lost_phone_request,
    replace_lost_phone,
    start_contact_change,
)
from portal.services.history import (
    ACTION_LABELS,
    HistoryEntry,
    access_history,
    action_label,
    register_history_names,
)
from portal.services.login import clear_expired_sessions, start_login
from portal.services.merge import follow_merged_identity
from portal.services.portals import (
    confirm_portal_access,
    consent_wording,
    create_portal,
    get_portal_for_user,
    open_portal,
    portal_access_request,
    portal_signatories,
    portals_of,
    revoke_accesses,
)
from portal.services.recipients import PortalError
from portal.services.sections import portal_sections, register_portal_section
from portal.services.totp import (
    confirm_totp_enrolment,
    enrol_totp,
    new_totp_device,
    signed_totp_key,
    start_totp_enrolment,
    totp_device,
    totp_enrolment_page,
    totp_qr_svg,
    totp_secret,
)

__all__ = [
    "ACTION_LABELS",
    "CODE_MAX_FAILURES",
    "CODE_VALIDITY",
    "HARD_LOCK",
    "HARD_LOCK_FAILURES",
    "MAX_WAIT_SECONDS",
    "RESEND_COOLDOWN_SECONDS",
    "SENDS_PER_WINDOW",
    "SEND_WINDOW_SECONDS",
    "UNDO_DAYS",
    "HistoryEntry",
    "PortalError",
    "access_history",
    "action_label",
    "challenge_method",
    "clear_expired_sessions",
    "confirm_lost_phone",
    "confirm_portal_access",
    "confirm_totp_enrolment",
    "consent_wording",
    "create_portal",
    "enrol_totp",
    "follow_merged_identity",
    "get_activation_link",
    "get_portal_for_user",
    "has_care_relationship",
    "lost_phone_request",
    "new_totp_device",
    "open_portal",
    "portal_access_request",
    "portal_sections",
    "portal_signatories",
    "portals_of",
    "recent_changes",
    "register_care_relationship",
    "register_history_names",
    "register_portal_section",
    "replace_lost_phone",
    "resend_code",
    "revoke_accesses",
    "signed_totp_key",
    "start_activation",
    "start_contact_change",
    "start_login",
    "start_totp_enrolment",
    "totp_device",
    "totp_enrolment_page",
    "totp_qr_svg",
    "totp_secret",
    "undo_change",
    "verify_code",
]
