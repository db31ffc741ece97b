"""Patient portals: creation with the consent, who may open which portal."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.exceptions import NotFound
from audit import services as audit
from notifications import services as notifications
from portal.models import Consent, PortalAccess, PortalAccount, PortalChange, User
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
    attested: bool = False,
) -> PortalAccount:
    """Create the portal of an identity (or give one more person access to it), in one step.

    The signatory's email and mobile are both required, and so is the professional's
    statement that the patient was informed and consented. The signatory receives an
    activation link by email and SMS (or, if they already have an account, a notice).
    A new access to an existing portal waits for its holder's confirmation (a link to their
    current email, ``portal.access_pending`` is then True), unless the professional attests
    that the holder is a minor or a protected adult.
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
    if not created and not attested:
        confirmer = _portal_confirmer(portal)
        if confirmer is not None:
            _check_new_access(portal=portal, email=email, mobile=mobile, quality=quality)
            _request_access(
                portal=portal,
                confirmer=confirmer,
                request={"email": email, "mobile": mobile, "quality": quality},
                consent_method=consent_method,
                by=by,
                ip=ip,
            )
            portal.access_pending = True
            return portal
    details = {"attested_minor_or_protected": True} if not created and attested else {}
    _grant_access(
        portal=portal,
        created=created,
        email=email,
        mobile=mobile,
        quality=quality,
        consent_method=consent_method,
        by=by,
        ip=ip,
        details=details,
    )
    return portal


def _check_new_access(*, portal: PortalAccount, email: str, mobile: str, quality: str) -> None:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (user.role != User.Role.PATIENT or str(user.mobile) != mobile):
        # The same person may hold several portals; nobody else may reuse their address.
        raise PortalError(_("This email address is already used by another person."))
    if PortalAccess.objects.filter(portal=portal, user=user, revoked_at__isnull=True).exists():
        raise PortalError(_("This person already has access to this portal."))
    if (
        quality == PortalAccess.Quality.HOLDER
        and PortalAccess.objects.filter(
            portal=portal, quality=quality, revoked_at__isnull=True
        ).exists()
    ):
        raise PortalError(_("This portal already has a holder."))


def _grant_access(
    *,
    portal: PortalAccount,
    created: bool,
    email: str,
    mobile: str,
    quality: str,
    consent_method: str,
    by: User,
    ip: str | None,
    details: dict[str, Any],
) -> PortalAccess:
    """Give the access (creating the person if needed), record the consent, tell everyone."""
    identity = portal.identity
    _check_new_access(portal=portal, email=email, mobile=mobile, quality=quality)
    user = User.objects.filter(email__iexact=email).first()
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
        PortalChange.objects.create(
            portal=portal, kind=PortalChange.Kind.ACCESS, access=access, made_by=by
        )
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
        details={"access": access.pk, "quality": quality, **details},
    )
    return access


# The holder confirms a new access to their portal through a link sent to their current email.
ACCESS_LINK_MAX_AGE = 48 * 3600
_ACCESS_SALT = "portal.access_request"


def _portal_confirmer(portal: PortalAccount) -> User | None:
    """Who confirms a new access: the holder, or else the first person given access."""
    accesses = PortalAccess.objects.filter(portal=portal, revoked_at__isnull=True)
    access = (
        accesses.filter(quality=PortalAccess.Quality.HOLDER).first()
        or accesses.order_by("created_at", "pk").first()
    )
    return access.user if access is not None else None


def _request_access(
    *,
    portal: PortalAccount,
    confirmer: User,
    request: dict[str, str],
    consent_method: str,
    by: User,
    ip: str | None,
) -> None:
    """Send the confirmation link to the confirmer's current email, a notice to their number."""
    token = signing.dumps(
        {
            **request,
            "portal": str(portal.uuid),
            "by": by.pk,
            "consent_method": consent_method,
            "at": timezone.now().isoformat(),
        },
        salt=_ACCESS_SALT,
    )
    key = f"portal:{portal.uuid}:{timezone.now():%Y%m%d%H%M%S%f}"
    link = f"{settings.SITE_URL}{reverse('portal:confirm_access', args=[token])}"
    quality = str(PortalAccess.Quality(request["quality"]).label)
    notifications.queue_email(
        purpose="portal_access_request",
        object_key=key,
        to=confirmer.email,
        template="portal_access_confirm",
        context={"link": link, "quality": quality},
    )
    if confirmer.mobile:
        notifications.queue_sms(
            purpose="portal_access_request",
            object_key=key,
            to=str(confirmer.mobile),
            template="portal_access_confirm",
        )
    audit.record(
        action="portal.access_requested",
        actor=by,
        ip=ip,
        object_type="portal",
        object_id=portal.uuid,
        details={"quality": request["quality"], "confirmer": confirmer.pk},
    )


def portal_access_request(token: str) -> dict[str, Any]:
    """The access a confirmation link asks for; refused when expired, forged or already used."""
    try:
        request = signing.loads(token, salt=_ACCESS_SALT, max_age=ACCESS_LINK_MAX_AGE)
    except signing.BadSignature:
        raise PortalError(_("This link is invalid or has expired.")) from None
    used = PortalAccess.objects.filter(
        portal__uuid=request["portal"],
        user__email__iexact=request["email"],
        created_at__gte=request["at"],
    )
    if used.exists():  # a link works once (even after the access was undone)
        raise PortalError(_("This link is invalid or has expired."))
    return dict(request)


@transaction.atomic
def confirm_portal_access(*, token: str, ip: str | None = None) -> PortalAccess:
    """The holder confirms, from their current email, the access a professional asked for."""
    request = portal_access_request(token)
    portal = PortalAccount.objects.select_for_update().get(uuid=request["portal"])
    portal_access_request(token)  # again, under the lock
    return _grant_access(
        portal=portal,
        created=False,
        email=request["email"],
        mobile=request["mobile"],
        quality=request["quality"],
        consent_method=request["consent_method"],
        by=User.objects.get(pk=request["by"]),
        ip=ip,
        details={"confirmed_by_the_holder": True},
    )


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
