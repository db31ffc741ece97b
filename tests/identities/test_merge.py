import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from identities import services
from identities.models import Identity, IdentityEvent
from portal.models import User
from tests.factories import login_as

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:identities_identity_changelist")


def _merge(client: Client, identities: list[Identity], **extra: str) -> object:
    return client.post(
        CHANGELIST,
        {"action": "merge_duplicates", "_selected_action": [i.pk for i in identities], **extra},
        follow=True,
    )


def test_merging_deactivates_and_links_the_duplicate(
    directory: dict[str, Identity], admin_user: User
) -> None:
    survivor, duplicate = directory["martin"], directory["martine"]
    seen: list[tuple[int, int]] = []

    def receiver(sender: object, survivor: Identity, duplicate: Identity, **kwargs: object) -> None:
        seen.append((survivor.pk, duplicate.pk))

    services.identities_merged.connect(receiver)
    try:
        services.merge_identities(survivor=survivor, duplicate=duplicate, by=admin_user)
    finally:
        services.identities_merged.disconnect(receiver)

    duplicate.refresh_from_db()
    assert not duplicate.is_active
    assert duplicate.merged_into == survivor
    assert duplicate.confirmed_duplicate
    assert seen == [(survivor.pk, duplicate.pk)]
    assert duplicate.events.filter(kind=IdentityEvent.Kind.MERGED_INTO).count() == 1
    assert survivor.events.get(kind=IdentityEvent.Kind.ABSORBED).actor == admin_user
    assert AccessLog.objects.filter(action="identity.merge", actor=admin_user).count() == 1
    assert Identity.objects.filter(pk=duplicate.pk).exists()  # never deleted


def test_an_already_merged_identity_cannot_be_merged_again(
    directory: dict[str, Identity], admin_user: User
) -> None:
    services.merge_identities(
        survivor=directory["martin"], duplicate=directory["martine"], by=admin_user
    )
    with pytest.raises(services.IdentityError, match="Seules des identités actives"):
        services.merge_identities(
            survivor=directory["leroy"], duplicate=directory["martine"], by=admin_user
        )


def test_a_failing_hook_rolls_the_merge_back(
    directory: dict[str, Identity], admin_user: User
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("hook failed")

    services.identities_merged.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            services.merge_identities(
                survivor=directory["martin"], duplicate=directory["martine"], by=admin_user
            )
    finally:
        services.identities_merged.disconnect(broken)
    directory["martine"].refresh_from_db()
    assert directory["martine"].is_active
    assert not IdentityEvent.objects.filter(kind=IdentityEvent.Kind.MERGED_INTO).exists()


def test_the_admin_asks_which_identity_survives(
    client: Client, admin_user: User, directory: dict[str, Identity]
) -> None:
    login_as(client, admin_user)
    response = _merge(client, [directory["martin"], directory["martine"]])
    body = response.content.decode()
    assert "Fusionner deux identités" in body
    assert "MARTINE" in body
    assert directory["martine"].events.filter(kind=IdentityEvent.Kind.MERGED_INTO).count() == 0


def test_the_admin_merges_into_the_chosen_survivor(
    client: Client, admin_user: User, directory: dict[str, Identity]
) -> None:
    login_as(client, admin_user)
    martin, martine = directory["martin"], directory["martine"]
    response = _merge(client, [martin, martine], confirm="yes", survivor=str(martine.pk))
    assert "a été fusionnée dans" in response.content.decode()
    martin.refresh_from_db()
    assert martin.merged_into == martine and not martin.is_active


def test_the_admin_refuses_to_merge_three(
    client: Client, admin_user: User, directory: dict[str, Identity]
) -> None:
    login_as(client, admin_user)
    response = _merge(client, [directory["martin"], directory["martine"], directory["leroy"]])
    assert "Sélectionnez exactement deux identités" in response.content.decode()
    assert Identity.objects.filter(is_active=False).count() == 0


def test_a_clinician_cannot_merge(clinician_client: Client, directory: dict[str, Identity]) -> None:
    response = _merge(clinician_client, [directory["martin"], directory["martine"]], confirm="yes")
    assert Identity.objects.filter(is_active=False).count() == 0
    assert response.redirect_chain[0][0].startswith(reverse("admin:login"))


def test_the_admin_search_folds_hyphens_and_spaces(
    client: Client, admin_user: User, directory: dict[str, Identity]
) -> None:
    login_as(client, admin_user)
    body = client.get(CHANGELIST, {"q": "martin lefevre"}).content.decode()
    assert "LEFEVRE" in body


def test_an_admin_change_is_kept_in_the_history(
    client: Client, admin_user: User, directory: dict[str, Identity]
) -> None:
    login_as(client, admin_user)
    bobby = directory["bobby"]
    url = reverse("admin:identities_identity_change", args=[bobby.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Création" in response.content.decode()


def test_the_admin_substring_search_can_use_the_trigram_indexes(
    directory: dict[str, Identity],
) -> None:
    from django.db import connection
    from django.db.models import Q

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a 10-row table is read whole otherwise
    query = Identity.objects.filter(
        Q(birth_name_key__contains="ONSUL")
        | Q(used_name_key__contains="ONSUL")
        | Q(first_name_key__contains="ONSUL")
    )
    plan = query.explain()
    assert "identity_bn_trgm" in plan and "identity_un_trgm" in plan and "identity_fn_trgm" in plan
    assert {i.first_name for i in query} == {"BOBBY", "LEA"}
