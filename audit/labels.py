"""The access log's actions and object types in words, for the admin (the codes stay stored)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "dispatch.release": _("Release of a sending after the antivirus"),
    "dispatch.send": _("Sending of documents"),
    "document.create": _("Document stored"),
    "document.read": _("Document opened"),
    "identity.create": _("Identity created"),
    "identity.merge": _("Identities merged"),
    "identity.read": _("Identity record read"),
    "identity.search": _("Identity search"),
    "notification.resend": _("Notification sent again"),
    "patient.activation": _("Patient space activated"),
    "patient.contact": _("Patient contact details changed"),
    "patient.login": _("Patient login"),
    "patient.lost_phone": _("Patient's phone declared lost"),
    "patient.totp_enrolled": _("Patient authenticator app enrolled"),
    "portal.create": _("Patient space created"),
    "portal.read": _("Patient space opened"),
    "portal.revoke_access": _("Access to a space withdrawn"),
    "print_job.create": _("Print job received"),
    "print_job.read": _("Print job opened"),
    "printer.token_create": _("Printer token created"),
    "printer.token_revoke": _("Printer token revoked"),
    "teleconsultation.cancel": _("Teleconsultation cancelled"),
    "teleconsultation.finalise": _("Teleconsultation finalised"),
    "teleconsultation.plan": _("Teleconsultation planned"),
    "teleconsultation.reschedule": _("Teleconsultation rescheduled"),
}

OBJECT_TYPE_LABELS = {
    "": _("None"),
    "dispatch": _("Sending"),
    "document": _("Document"),
    "identity": _("Identity"),
    "notification": _("Notification"),
    "portal": _("Patient space"),
    "print_job": _("Print job"),
    "teleconsultation": _("Teleconsultation"),
    "user": _("Account"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_type_label(object_type: str) -> str:
    return str(OBJECT_TYPE_LABELS.get(object_type, object_type))
