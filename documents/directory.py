"""The professionals directory: import of the Annuaire Santé extraction, as-you-type search.

The Agence du Numérique en Santé publishes every health professional of the RPPS in
``PS_LibreAcces_Personne_activite_<date>.txt``: UTF-8, ``|``-delimited, one header line, one line
per activity (a professional working at two sites has two lines). The import reads the columns
it needs by their header names, so added columns do not break it, keeps the RPPS entries whose
profession the portal knows, creates the sites that have a FINESS number as organisations and
upserts everything in batches: the full national file (about 2 million lines) streams through
without being held in memory.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from stdnum import luhn

from accounts import services as accounts
from accounts.professions import Profession
from documents.models import Organisation, Professional, search_keys
from identities.services import prefix_range

# Columns of PS_LibreAcces_Personne_activite, as written in its header line.
ID_TYPE = "Type d'identifiant PP"
ID = "Identifiant PP"
LAST_NAME = "Nom d'exercice"
FIRST_NAME = "Prénom d'exercice"
PROFESSION = "Code profession"
SKILL = "Libellé savoir-faire"
FINESS = "Numéro FINESS site"
SITE_NAME = "Raison sociale site"
SITE_BRAND = "Enseigne commerciale site"
SECTOR = "Code secteur d'activité"
STREET = (
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
)
POSTCODE = "Code postal (coord. structure)"
CITY = "Libellé commune (coord. structure)"
EMAIL = "Adresse e-mail (coord. structure)"
REQUIRED_COLUMNS = (ID_TYPE, ID, LAST_NAME, FIRST_NAME, PROFESSION)

RPPS_ID_TYPE = "8"  # 0 is ADELI, an older register the portal does not key on
BATCH_SIZE = 2000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FINESS = re.compile(r"^[0-9][0-9AB][0-9]{7}$")
# "Code secteur d'activité" (TRE_R02-SecteurActivite) of the sites that matter as recipients.
_SECTOR_KINDS = {
    "SA33": Organisation.Kind.PHARMACY,  # pharmacie d'officine
    "SA25": Organisation.Kind.LABORATORY,  # laboratoire de biologie médicale
    "SA01": Organisation.Kind.HOSPITAL,  # établissement public de santé
    "SA02": Organisation.Kind.HOSPITAL,  # établissement privé PSPH
    "SA03": Organisation.Kind.HOSPITAL,  # établissement privé non PSPH
}
PROFESSIONAL_FIELDS = (
    "last_name",
    "first_name",
    "last_name_key",
    "first_name_key",
    "profession",
    "specialty",
    "address",
    "email",
    "is_active",
)


class DirectoryFileError(ValueError):
    """The file is not an Annuaire Santé extraction; the message says why."""


@dataclass
class ImportReport:
    lines: int = 0
    professionals: int = 0
    organisations: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    deactivated: int = 0
    linked: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def open_extraction(raw: IO[bytes]) -> Iterator[dict[str, str]]:
    """The lines of the file as dictionaries keyed by header names (UTF-8, or Latin-1 of old)."""
    head = raw.read(4096)
    raw.seek(0)
    try:
        head.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the 4096-byte window is not a reason to give up UTF-8.
        encoding = "utf-8-sig" if error.start >= len(head) - 3 else "latin-1"
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.DictReader(text, delimiter="|", quoting=csv.QUOTE_NONE)
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise DirectoryFileError(
            "not a PS_LibreAcces_Personne_activite file: missing column(s) " + ", ".join(missing)
        )
    yield from reader


def _address(line: dict[str, str]) -> str:
    street = " ".join(part for part in (line.get(name, "").strip() for name in STREET) if part)
    town = " ".join(
        part for part in (line.get(POSTCODE, "").strip(), line.get(CITY, "").strip()) if part
    )
    return ", ".join(part for part in (street, town) if part)[:300]


def _email(line: dict[str, str]) -> str:
    value = line.get(EMAIL, "").strip().lower()
    return value if _EMAIL.match(value) and len(value) <= 254 else ""


def _organisation(line: dict[str, str]) -> Organisation | None:
    finess = line.get(FINESS, "").strip().upper()
    name = (line.get(SITE_NAME, "") or line.get(SITE_BRAND, "")).strip()
    if not (_FINESS.match(finess) and name):
        return None
    organisation = Organisation(
        finess=finess,
        name=name[:200],
        kind=_SECTOR_KINDS.get(line.get(SECTOR, "").strip(), Organisation.Kind.PRACTICE),
        address=_address(line),
        email=_email(line),
    )
    (organisation.name_key,) = search_keys(organisation.name)
    return organisation


def _professional(line: dict[str, str], report: ImportReport) -> Professional | None:
    if line.get(ID_TYPE, "").strip() != RPPS_ID_TYPE:
        report.skip("not an RPPS number (ADELI)")
        return None
    rpps = line.get(ID, "").strip()
    if not (len(rpps) == 11 and rpps.isdigit() and luhn.is_valid(rpps)):
        report.skip("invalid RPPS number")
        return None
    profession = line.get(PROFESSION, "").strip()
    if profession not in Profession.values:
        report.skip("profession not handled by the portal")
        return None
    last_name = line.get(LAST_NAME, "").strip()[:150]
    first_name = line.get(FIRST_NAME, "").strip()[:150]
    if not last_name:
        report.skip("no name")
        return None
    last_key, first_key = search_keys(last_name, first_name)
    return Professional(
        rpps=rpps,
        last_name=last_name,
        first_name=first_name,
        last_name_key=last_key,
        first_name_key=first_key,
        profession=profession,
        specialty=line.get(SKILL, "").strip()[:200],
        address=_address(line),
        email=_email(line),
        is_active=True,
    )


def import_extraction(
    lines: Iterable[dict[str, str]], *, deactivate_missing: bool = False
) -> ImportReport:
    """Upsert the professionals and organisations of an extraction; an RPPS is one entry.

    The first activity line of a professional gives their site; later lines of the same RPPS
    only fill an e-mail address that was missing. Accounts linked to entries are kept. With
    ``deactivate_missing``, entries absent from a full extraction stop being offered as
    recipients (they are never deleted: deliveries point at them).
    """
    report = ImportReport()
    seen: set[str] = set()
    professionals: dict[str, Professional] = {}
    sites: dict[str, str] = {}  # rpps -> FINESS of its first site
    organisations: dict[str, Organisation] = {}
    for line in lines:
        report.lines += 1
        professional = _professional(line, report)
        if professional is None:
            continue
        organisation = _organisation(line)
        if organisation is not None:
            organisations.setdefault(organisation.finess, organisation)
        earlier = professionals.get(professional.rpps)
        if earlier is not None:
            earlier.email = earlier.email or professional.email
            continue
        if professional.rpps in seen:
            continue  # its batch is written; a line of it that comes this late adds nothing
        professionals[professional.rpps] = professional
        if organisation is not None:
            sites[professional.rpps] = organisation.finess
        if len(professionals) >= BATCH_SIZE:
            _write(professionals, organisations, sites, report)
            seen.update(professionals)
            professionals, organisations, sites = {}, {}, {}
    _write(professionals, organisations, sites, report)
    seen.update(professionals)
    if deactivate_missing:
        report.deactivated = _deactivate_missing(seen)
    report.linked = link_accounts()
    return report


def link_accounts() -> int:
    """Entries whose RPPS is a clinician's of this portal point at that account ("Documents
    reçus" lists what was sent to the entry)."""
    profiles = accounts.professional_profiles()
    account = profiles.filter(rpps=OuterRef("rpps")).values("user")[:1]
    return Professional.objects.filter(user__isnull=True, rpps__in=profiles.values("rpps")).update(
        user=Subquery(account)
    )


@transaction.atomic
def _write(
    professionals: dict[str, Professional],
    organisations: dict[str, Organisation],
    sites: dict[str, str],
    report: ImportReport,
) -> None:
    if organisations:
        Organisation.objects.bulk_create(
            organisations.values(),
            update_conflicts=True,
            unique_fields=["finess"],
            update_fields=["name", "name_key", "kind", "address", "email"],
        )
        report.organisations += len(organisations)
    finess_ids = dict(
        Organisation.objects.filter(finess__in=set(sites.values())).values_list("finess", "pk")
    )
    for rpps, professional in professionals.items():
        professional.organisation_id = finess_ids.get(sites.get(rpps, ""))
    if professionals:
        Professional.objects.bulk_create(
            professionals.values(),
            update_conflicts=True,
            unique_fields=["rpps"],
            update_fields=[*PROFESSIONAL_FIELDS, "organisation"],
        )
        report.professionals += len(professionals)


def _deactivate_missing(seen: set[str]) -> int:
    """Entries no longer in the national file; those with an account here stay active."""
    missing = Professional.objects.filter(is_active=True, user__isnull=True).exclude(rpps__in=seen)
    return missing.update(is_active=False)


# --- Search ------------------------------------------------------------------------------------

SEARCH_LIMIT = 15


def search_professionals(query: str, *, limit: int = SEARCH_LIMIT) -> list[Professional]:
    """Active entries matching what was typed: an RPPS, a name (either order), a pharmacy...

    The first word must start the last name, the first name or the organisation's name (an
    index range); the other words must appear in one of them. Accents and case do not matter.
    """
    (folded,) = search_keys(query)
    words = folded.split()
    if not words:
        return []
    entries = Professional.objects.filter(is_active=True).select_related("organisation")
    if folded.isdigit():
        if len(folded) < 3:
            return []
        matches = entries.filter(rpps__startswith=folded)
    else:
        if len(words[0]) < 2:
            return []
        first, rest = words[0], words[1:]
        matches = entries.filter(
            prefix_range("last_name_key", first)
            | prefix_range("first_name_key", first)
            | Q(organisation__in=_organisations_starting(first))
        )
        for word in rest:
            matches = matches.filter(
                Q(last_name_key__contains=word)
                | Q(first_name_key__contains=word)
                | Q(organisation__name_key__contains=word)
            )
    return list(matches.order_by("last_name_key", "first_name_key", "rpps")[:limit])


def _organisations_starting(word: str) -> models.QuerySet:
    return Organisation.objects.filter(prefix_range("name_key", word)).values("pk")
