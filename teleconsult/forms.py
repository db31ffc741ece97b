"""Forms of the teleconsultation: planning (the guide's first screen) and finalisation (its
second: rating, documents and correspondents, payment)."""

import datetime
import re
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.forms import DocumentFormSet, RecipientsForm
from portal.models import PortalAccess

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
TIME_FORMATS = ["%H:%M", "%Hh%M", "%Hh"]


class ScheduleForm(forms.Form):
    """Date, time (the clinician's time, Europe/Paris) and duration; the start is stored UTC."""

    date = forms.DateField(
        label=_("Date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 24/08/2027.")},
    )
    time = forms.TimeField(
        label=_("Time"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 14:30.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        initial=15,
        error_messages={"invalid": _("Enter a duration in minutes, such as 15.")},
    )

    def clean_duration_minutes(self) -> int:
        duration = self.cleaned_data["duration_minutes"]
        if not 1 <= duration <= 240:
            raise forms.ValidationError(_("The duration must be between 1 minute and 4 hours."))
        return duration

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date") and data.get("time"):
            local = datetime.datetime.combine(data["date"], data["time"]).replace(
                tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
            )
            data["starts_at"] = local.astimezone(datetime.UTC)
            if data["starts_at"] <= timezone.now():
                self.add_error("date", _("Choose a date and time in the future."))
        return data


class PlanForm(ScheduleForm):
    """ "Patient", invitations, the portal to create, then the time of the teleconsultation."""

    patient = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Search for the patient, then choose them in the list.")},
    )
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    invite_email = forms.BooleanField(label=_("Invite by email"), required=False)
    invite_sms = forms.BooleanField(label=_("Invite by sms"), required=False)
    create_portal = forms.BooleanField(required=False)
    quality = forms.ChoiceField(
        label=_("Create a %(portal)s portal accessible by the:"),
        choices=PortalAccess.Quality.choices,
        initial=PortalAccess.Quality.HOLDER,
    )
    consent = forms.BooleanField(required=False)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)

    field_order = [
        "patient",
        "email",
        "mobile",
        "invite_email",
        "invite_sms",
        "create_portal",
        "quality",
        "consent",
        "date",
        "time",
        "duration_minutes",
        "reason",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quality"].label = self.fields["quality"].label % {
            "portal": settings.PORTAL_NAME
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("invite_email") or data.get("invite_sms")):
            self.add_error(
                "invite_email", _("Choose how to invite the patient: by email, by SMS, or both.")
            )
        if data.get("create_portal") and not data.get("consent"):
            self.add_error(
                "consent", _("You must inform the patient and obtain their consent first.")
            )
        return data


class RescheduleForm(ScheduleForm):
    pass


# --- Finalisation ------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(?P<units>\d+)(?:[.,](?P<cents>\d*))?$")


class AmountField(forms.CharField):
    """Euros typed the French way: "25", "25,50" (or "25.50", "25 €"); 0 to 999.99."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = (
            (super().to_python(value) or "").replace("€", "").replace(" ", "").replace("\u00a0", "")
        )
        if not text:
            return None
        if text.startswith("-"):
            raise forms.ValidationError(_("The amount cannot be negative."))
        match = _AMOUNT.match(text)
        if match is None:
            raise forms.ValidationError(_("Enter an amount in euros, such as 25 or 25,50."))
        cents = match["cents"] or ""
        if len(cents) > 2:
            raise forms.ValidationError(_("At most two decimals (the cents), such as 25,50."))
        amount = Decimal(f"{match['units']}.{cents or '0'}")
        if amount > Decimal("999.99"):
            raise forms.ValidationError(_("The amount cannot be above 999,99 €."))
        return amount.quantize(Decimal("0.01"))


class FinaliseForm(forms.Form):
    """ "Évaluation de l'appel" and "Validation du paiement patient"."""

    rating = forms.TypedChoiceField(
        label=_("Call rating"),
        choices=[(str(stars), str(stars)) for stars in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Rate the call: from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Free comment"), required=False, max_length=2000, widget=forms.Textarea
    )
    amount = AmountField(
        label=_("Amount paid by the patient (€)"),
        error_messages={"required": _("Enter the amount, 0 if the patient pays nothing.")},
    )


class FinaliseDocumentFormSet(DocumentFormSet):  # type: ignore[misc, valid-type]
    """The documents of "Envoi de documents au patient": none is fine at a finalisation."""

    def clean(self) -> None:
        forms.BaseFormSet.clean(self)


class CorrespondentsForm(RecipientsForm):
    """ "Ajouter des correspondants" and the form's token; the patient always gets a copy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, has_portal=True, **kwargs)
        del self.fields["copy_to_patient"]

    def clean(self) -> dict[str, Any]:
        return forms.Form.clean(self)
