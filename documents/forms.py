"""Forms of the sending pages: the documents (file, name, type) and the recipients.

The teleconsultation finalisation and the print wizard reuse them: the guide's block "Envoi de
documents au patient" (Ajouter des documents, renommer, Type de document, Ajouter des
correspondants) is the same everywhere.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentType, Professional
from documents.services import NewDocument
from documents.validation import MAX_NAME_LENGTH, NAME_TOO_LONG, clean_filename, name_too_long

MAX_DOCUMENTS = 10


class DocumentNameField(forms.CharField):
    """A document's name: over 200 characters it is refused with its length, never cut. No
    ``maxlength`` in the page (the browser would cut a pasted name without a word): the page's
    script counts instead (``data-max-length``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"max_length": NAME_TOO_LONG})
        super().__init__(max_length=MAX_NAME_LENGTH, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs | {"data-max-length": str(MAX_NAME_LENGTH), "data-too-long": NAME_TOO_LONG}


class DocumentRowForm(forms.Form):
    """One document: its file, the name the recipients will see, its type."""

    # An empty file is refused below, with the file's name, like the other refusals.
    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True)
    name = DocumentNameField(
        label=_("Name"),
        required=False,
        help_text=_("Rename the document if needed; its file name is used otherwise."),
    )
    document_type = forms.ModelChoiceField(
        label=_("Document type"),
        queryset=DocumentType.objects.filter(is_active=True).order_by("position", "label"),
        required=False,
        empty_label=_("Document type"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and not upload.size:
            name = clean_filename(upload.name or "")
            raise forms.ValidationError(_("%(name)s: the file is empty.") % {"name": name})
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("file") and not data.get("document_type"):
            self.add_error("document_type", _("Choose the type of this document."))
        if not data.get("file") and (data.get("name") or data.get("document_type")):
            self.add_error("file", _("Add the file of this document."))
        if data.get("file") and not data.get("name") and "name" not in self.errors:
            # Without a name, the file's is used: a longer one is refused the same way.
            refusal = name_too_long(clean_filename(data["file"].name or "", limit=None))
            if refusal:
                self.add_error("name", refusal)
        return data

    def new_document(self) -> NewDocument | None:
        data = self.cleaned_data
        if not data.get("file"):
            return None
        return NewDocument(
            name=data["name"] or "", document_type=data["document_type"], upload=data["file"]
        )


class BaseDocumentFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _("Send at most %(num)d documents at once."),
    }

    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("file") for form in self.forms):
            raise forms.ValidationError(_("Add at least one document."))

    def new_documents(self) -> list[NewDocument]:
        return [row for form in self.forms if (row := form.new_document()) is not None]


DocumentFormSet = forms.formset_factory(
    DocumentRowForm,
    formset=BaseDocumentFormSet,
    extra=3,
    max_num=MAX_DOCUMENTS,
    absolute_max=MAX_DOCUMENTS,
    validate_max=True,
)


class RecipientsForm(forms.Form):
    """ "Ajouter des correspondants" and "Copie au patient", with the form's one-time token."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=16)
    correspondents = forms.ModelMultipleChoiceField(
        label=_("Add correspondents"),
        queryset=Professional.objects.filter(is_active=True),
        to_field_name="rpps",
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "invalid_choice": _("This professional is no longer in the directory."),
            "invalid_pk_value": _("This professional is no longer in the directory."),
        },
    )
    copy_to_patient = forms.BooleanField(label=_("Copy to the patient"), required=False)

    def __init__(self, *args: Any, has_portal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_portal = has_portal
        if not has_portal:
            self.fields["copy_to_patient"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "correspondents" in data and not (data["correspondents"] or data["copy_to_patient"]):
            raise forms.ValidationError(
                _(
                    "Choose at least one recipient: tick “Copy to the patient” or add a "
                    "correspondent."
                )
            )
        return data

    def chosen(self) -> list[Professional]:
        """The correspondents to show as chosen, valid or not yet validated."""
        if (
            self.is_bound
            and hasattr(self, "cleaned_data")
            and "correspondents" in self.cleaned_data
        ):
            return list(self.cleaned_data["correspondents"].select_related("organisation"))
        values = self.data.getlist("correspondents") if self.is_bound else []
        return list(
            Professional.objects.filter(is_active=True, rpps__in=values[:50]).select_related(
                "organisation"
            )
        )
