"""Patient portals: creation with the consent, who may open which portal."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.exceptions import NotFound
from audit import services as audit
from notifications import services as notifications
from portal.models import Consent, PortalAccess, PortalAccount, User
from portal.services.activation import _send_activation
from portal.services.care import has_care_relationship
from portal.services.recipients import PortalError, _email, _mobile_e164, _spend_sms_action

# The guide's sentence, shown beside the consent box; its version is recorded with the consent.
_CONSENT_WORDING = gettext_lazy(
    "This will let you send documents to the patient easily and securely after your "
    "consultation. Before creating their %(portal)s account, you must inform the patient and "
    "obtain their consent."
)


def consent_wording() -> str:
    return _CONSENT_WORDING % {"portal": settings.PORTAL_NAME}


@transaction.atomic
def create_portal(
    *,
    identity: Any,
    email: str,
    mobile: str,
    quality: str,
    consent_given: bool,
    consent_method: str,
    by: User,
    ip: str | None = None,
) -> PortalAccount:
    """Create the portal of an identity (or give one more person access to it), in one step.

    The signatory's email and mobile are both required, and so is the professional's
    statement that the patient was informed and consented. The signatory receives an
    activation link by email and SMS (or, if they already have an account, a notice).
    """
    if not consent_given:
        raise PortalError(_("You must inform the patient and obtain their consent first."))
    email, mobile = _email(email), _mobile_e164(mobile)
    _spend_sms_action(by=by)
    identity = type(identity).objects.select_for_update().get(pk=identity.pk)
    if not identity.is_active:
        raise PortalError(_("This identity was merged or deactivated: choose the active one."))
    portal, created = PortalAccount.objects.get_or_create(
        identity=identity, defaults={"created_by": by}
    )
    if not created and not has_care_relationship(professional=by, identity=identity):
        # Giving someone access to an existing portal is a takeover path (issue 16).
        raise PortalError(
            _(
                "Only a professional with a care relationship with this patient (who created "
                "the account, sent them a document or has a teleconsultation with them) may "
                "give someone access to it."
            )
        )
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (user.role != User.Role.PATIENT or str(user.mobile) != mobile):
        # The same person may hold several portals; nobody else may reuse their address.
        raise PortalError(_("This email address is already used by another person."))
    if user is None:
        holder = quality == PortalAccess.Quality.HOLDER
        user = User.objects.create_user(
            email,
            None,
            first_name=identity.first_name.title() if holder else "",
            last_name=identity.display_name if holder else "",
            role=User.Role.PATIENT,
            mobile=mobile,
        )
    if PortalAccess.objects.filter(portal=portal, user=user, revoked_at__isnull=True).exists():
        raise PortalError(_("This person already has access to this portal."))
    if (
        quality == PortalAccess.Quality.HOLDER
        and PortalAccess.objects.filter(
            portal=portal, quality=quality, revoked_at__isnull=True
        ).exists()
    ):
        raise PortalError(_("This portal already has a holder."))
    access = PortalAccess.objects.create(portal=portal, user=user, quality=quality, created_by=by)
    with translation.override(settings.LANGUAGE_CODE):
        wording = consent_wording()
    Consent.objects.create(
        portal=portal,
        recorded_by=by,
        method=consent_method,
        wording_version=settings.PORTAL_CONSENT_WORDING_VERSION,
        wording=wording,
    )
    # A portal needs both: codes go to the mobile, alerts to the email.
    changed = [
        field
        for field, value in (("email", email), ("mobile", mobile))
        if not getattr(identity, field)
    ]
    for field in changed:
        setattr(identity, field, email if field == "email" else mobile)
    if changed:
        identity.save(update_fields=changed)
    if not created:
        _tell_holder_of_new_access(portal=portal, access=access)
    if user.activated_at is None:
        _send_activation(user=user, access=access)
    else:
        notifications.queue_email(
            purpose="portal_access_granted",
            object_key=f"access:{access.pk}",
            to=user.email,
            template="portal_access_granted",
        )
    audit.record(
        action="portal.create",
        actor=by,
        ip=ip,
        object_type="portal",
        object_id=portal.uuid,
        details={"access": access.pk, "quality": quality},
    )
    return portal


def _tell_holder_of_new_access(*, portal: PortalAccount, access: PortalAccess) -> None:
    """The holder learns at their current email and number that someone else may now open it."""
    holder = (
        PortalAccess.objects.filter(portal=portal, quality=PortalAccess.Quality.HOLDER)
        .filter(revoked_at__isnull=True)
        .exclude(pk=access.pk)
        .select_related("user")
        .first()
    )
    if holder is None:
        return
    key = f"access:{access.pk}"
    context = {"quality": access.get_quality_display()}
    notifications.queue_email(
        purpose="portal_access_added",
        object_key=key,
        to=holder.user.email,
        template="portal_access_added",
        context=context,
    )
    if holder.user.mobile:
        notifications.queue_sms(
            purpose="portal_access_added",
            object_key=key,
            to=str(holder.user.mobile),
            template="portal_access_added",
            context=context,
        )


def portals_of(user: User) -> list[PortalAccess]:
    """The portals a person may open, holder's first."""
    return list(
        PortalAccess.objects.filter(user=user, revoked_at__isnull=True, portal__is_active=True)
        .select_related("portal__identity")
        .order_by("quality", "portal__identity__birth_date", "pk")
    )


def get_portal_for_user(*, user: User, portal_uuid: UUID | str) -> PortalAccount:
    """The portal if this person holds an access to it now; a 404 otherwise, never a hint."""
    access = (
        PortalAccess.objects.filter(
            user=user, revoked_at__isnull=True, portal__uuid=portal_uuid, portal__is_active=True
        )
        .select_related("portal__identity")
        .first()
    )
    if access is None:
        raise NotFound
    return access.portal


def open_portal(*, user: User, portal_uuid: UUID | str, ip: str | None = None) -> PortalAccount:
    """The portal a person opens from their space; the opening is in the access log."""
    portal = get_portal_for_user(user=user, portal_uuid=portal_uuid)
    audit.record(
        action="portal.read", actor=user, ip=ip, object_type="portal", object_id=portal.uuid
    )
    return portal


def portal_signatories(
    *, portal_uuid: UUID | str, by: User
) -> tuple[PortalAccount, QuerySet[User]]:
    """A portal and the people holding an access to it now, for a professional who cares for
    the patient (anyone else gets a 404: they could move the login codes to their phone)."""
    portal = PortalAccount.objects.select_related("identity").filter(uuid=portal_uuid).first()
    if portal is None or not has_care_relationship(professional=by, identity=portal.identity):
        raise NotFound
    people = User.objects.filter(
        portal_accesses__portal=portal, portal_accesses__revoked_at__isnull=True
    ).order_by("email")
    return portal, people


@transaction.atomic
def revoke_accesses(*, accesses: list[PortalAccess], by: User, ip: str | None = None) -> int:
    """An admin withdraws accesses to portals; each revocation is in the access log."""
    now = timezone.now()
    revoked = 0
    for access in (
        PortalAccess.objects.select_for_update()
        .filter(pk__in=[access.pk for access in accesses], revoked_at__isnull=True)
        .select_related("portal")
    ):
        access.revoked_at = now
        access.save(update_fields=["revoked_at"])
        audit.record(
            action="portal.revoke_access",
            actor=by,
            ip=ip,
            object_type="portal",
            object_id=access.portal.uuid,
            details={"access": access.pk, "quality": access.quality},
        )
        revoked += 1
    return revoked
