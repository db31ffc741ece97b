"""Identities in the Django admin: search, filters, history, and merging duplicates."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from identities import services
from identities.models import FLAG_FIELDS, Identity, IdentityEvent


class IdentityEventInline(admin.TabularInline):
    model = IdentityEvent
    fields = ("created_at", "kind", "actor", "details")
    readonly_fields = fields
    ordering = ("-created_at", "-pk")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        queryset=Identity.objects.none(),
        widget=forms.RadioSelect,
        label=gettext_lazy("Identity to keep"),
        empty_label=None,
    )


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = (
        "birth_name",
        "used_name",
        "first_name",
        "birth_date",
        "sex",
        "birthplace_code",
        "status",
        "potential_duplicate",
        "is_active",
    )
    list_filter = (
        "status",
        "is_active",
        *FLAG_FIELDS,
        "sex",
        "birthplace_kind",
        "collection_method",
    )
    # Substring searches on the folded keys: served by trigram indexes on PostgreSQL.
    search_fields = (
        "birth_name_key__contains",
        "used_name_key__contains",
        "first_name_key__contains",
        "=birthplace_code",
    )
    ordering = ("birth_name", "first_name", "birth_date", "pk")
    readonly_fields = (
        "uuid",
        "created_by",
        "created_at",
        "no_objection_at",
        "merged_into",
        "is_active",
    )
    date_hierarchy = "birth_date"
    inlines = [IdentityEventInline]
    actions = ["merge_duplicates"]
    list_per_page = 50
    show_full_result_count = False  # counting 2 million rows on every page costs more than it tells

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):  # type: ignore[no-untyped-def]
        # The search keys are stored compact ("JEAN PIERRE" → "JEANPIERRE"): fold the term alike.
        from identities.phonetic import compact

        terms = " ".join(compact(word) or word for word in search_term.split())
        return super().get_search_results(request, queryset, terms)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Identitovigilance: an identity is deactivated or merged, never deleted.
        return False

    def save_model(
        self, request: HttpRequest, obj: Identity, form: forms.Form, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            IdentityEvent.objects.create(
                identity=obj,
                kind=IdentityEvent.Kind.UPDATED,
                actor=request.user,
                details={"fields": sorted(form.changed_data)},
            )

    @admin.action(description=gettext_lazy("Merge the two selected duplicates"))
    def merge_duplicates(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        identities = list(queryset.order_by("pk"))
        if len(identities) != 2:
            self.message_user(request, _("Select exactly two identities to merge."), messages.ERROR)
            return None
        form = MergeForm(request.POST if "confirm" in request.POST else None)
        form.fields["survivor"].queryset = queryset.order_by("pk")
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            duplicate = next(i for i in identities if i.pk != survivor.pk)
            try:
                services.merge_identities(
                    survivor=survivor,
                    duplicate=duplicate,
                    by=request.user,
                    ip=audit.client_ip(request),
                )
            except services.IdentityError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(duplicate)s was merged into %(survivor)s.")
                    % {"duplicate": duplicate, "survivor": survivor},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge two identities"),
            "identities": identities,
            "form": form,
            "queryset": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/identities/merge.html", context)
