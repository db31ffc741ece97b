"""Forms of the print wizard; the document and recipient fields are those of the sending page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.forms import DocumentRowForm, RecipientsForm
from documents.validation import name_too_long


class DocumentTypeForm(forms.Form):
    """Step 1, "Type de document": the type, and the name the recipients will see."""

    document_type = DocumentRowForm.base_fields["document_type"]
    name = DocumentRowForm.base_fields["name"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].required = True
        self.fields["document_type"].error_messages["required"] = _(
            "Choose the type of this document."
        )
        self.fields["name"].help_text = _("The name the recipients will see.")

    def clean_name(self) -> str:
        # Left empty, the job's name (from the computer, up to 255 characters) stays: refused
        # the same way as a typed one when it is longer than a document's name may be.
        name: str = self.cleaned_data.get("name") or ""
        if not name.strip():
            refusal = name_too_long(str(self.initial.get("name") or "").strip())
            if refusal:
                raise forms.ValidationError(refusal)
        return name


class RecipientsStepForm(forms.Form):
    """Step 3, "Destinataire(s)": correspondents of the directory, none at all allowed."""

    correspondents = RecipientsForm.base_fields["correspondents"]
