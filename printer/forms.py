"""Forms of the print wizard; the document and recipient fields are those of the sending page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.forms import DocumentRowForm, RecipientsForm


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


class RecipientsStepForm(forms.Form):
    """Step 3, "Destinataire(s)": correspondents of the directory, none at all allowed."""

    correspondents = RecipientsForm.base_fields["correspondents"]
