"""Load the demonstration data of the user guide, so that a newcomer can try every screen.

Idempotent: running it twice changes nothing. Refused in production, where demo accounts with a
published password would be a hole.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services as accounts
from accounts.professions import Profession
from documents import services as documents
from documents.models import Organisation
from identities import services as identities
from identities.models import Identity
from identities.normalize import normalize_name
from portal.models import ProfessionalProfile, User

DEMO_PASSWORD = "demo-portail-2026"  # noqa: S105 (published on purpose, refused in production)  # nosec B105

ADMIN = {"email": "admin@portail.test", "first_name": "Alice", "last_name": "ADMIN"}
CLINICIANS = [
    {
        "email": "claire.martin@portail.test",
        "first_name": "Claire",
        "last_name": "MARTIN",
        "rpps": "10001001006",
        "profession": Profession.PHYSICIAN,
        "specialty": "Médecine générale",
        "organisation": "Maison de santé de Chabeuil",
        # Pre-fills "Validation du paiement patient" at a teleconsultation's finalisation.
        "default_amount": Decimal("25.00"),
    },
    {
        "email": "paul.durand@portail.test",
        "first_name": "Paul",
        "last_name": "DURAND",
        "rpps": "10001002004",
        "profession": Profession.PHYSICIAN,
        "specialty": "Cardiologie",
        "organisation": "Centre hospitalier de Valence",
        "default_amount": Decimal("25.00"),
    },
]
# The guide's patient first; its "06010230405" has 11 digits and would be refused.
PATIENTS = [
    {
        "birth_name": "TELECONSULTATION",
        "first_name": "Bobby",
        "birth_date": datetime.date(1989, 8, 24),
        "sex": Identity.Sex.MALE,
        "birthplace_kind": Identity.BirthplaceKind.FRANCE,
        "birthplace_code": "26064",
        "email": "bobby@teleconsultation.com",
        "mobile": "+33601023040",
    },
    {
        "birth_name": "SPECIMEN",
        "used_name": "CARTE TEST",
        "first_name": "Specimen",
        "birth_date": datetime.date(1950, 1, 1),
        "sex": Identity.Sex.FEMALE,
        "birthplace_kind": Identity.BirthplaceKind.UNKNOWN,
    },
    {
        "birth_name": "Lefèvre",
        "used_name": "Martin-Lefèvre",
        "first_name": "Éloïse",
        "birth_date": datetime.date(1982, 11, 3),
        "sex": Identity.Sex.FEMALE,
        "birthplace_kind": Identity.BirthplaceKind.ABROAD,
        "birthplace_code": "99350",
        "email": "eloise.martin-lefevre@exemple.fr",
        "mobile": "+33756123456",
    },
    {
        "birth_name": "Dupont",
        "first_name": "Jean-Pierre",
        "birth_date": datetime.date(1961, 4, 17),
        "sex": Identity.Sex.MALE,
        "birthplace_kind": Identity.BirthplaceKind.FRANCE,
        "birthplace_code": "69123",
    },
    {
        "birth_name": "TELECONSULTATION",
        "first_name": "Léa",
        "birth_date": datetime.date(2018, 5, 9),
        "sex": Identity.Sex.FEMALE,
        "birthplace_kind": Identity.BirthplaceKind.FRANCE,
        "birthplace_code": "26362",
    },
]
ORGANISATIONS = [
    {
        "finess": "260012349",
        "name": "Pharmacie du Centre",
        "kind": Organisation.Kind.PHARMACY,
        "address": "12 place de la Mairie, 26120 Chabeuil",
        "email": "pharmacie.centre@pharmacien.mssante.fr",
    },
    {
        "finess": "690012349",
        "name": "Laboratoire Bio Rhône",
        "kind": Organisation.Kind.LABORATORY,
        "address": "5 rue Garibaldi, 69003 Lyon",
        "email": "contact@biorhone.mssante.fr",
    },
]
PROFESSIONALS = [
    {
        "rpps": "10001003002",
        "last_name": "BERNARD",
        "first_name": "Sophie",
        "profession": Profession.PHARMACIST,
        "organisation_finess": "260012349",
        "address": "12 place de la Mairie, 26120 Chabeuil",
        "mssante_address": "sophie.bernard@pharmacien.mssante.fr",
    },
    {
        "rpps": "10001004000",
        "last_name": "PETIT",
        "first_name": "Marc",
        "profession": Profession.PHYSICIAN,
        "specialty": "Dermatologie",
        "address": "8 avenue Victor Hugo, 26000 Valence",
        "mssante_address": "marc.petit@medecin.mssante.fr",
    },
    {
        "rpps": "10001005007",
        "last_name": "ROUX",
        "first_name": "Julie",
        "profession": Profession.NURSE,
        "address": "3 rue des Alpes, 26120 Chabeuil",
        "email": "julie.roux@exemple.fr",
    },
]


class Command(BaseCommand):
    help = "Load the demonstration data (idempotent; refused in production)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo is refused in production: demo passwords are public.")
        with transaction.atomic():
            created = self._seed()
            created += self._enrol_demo_authenticators()
        if options["verbosity"]:
            self.stdout.write(f"Demo data ready ({created} objects created).")

    def _enrol_demo_authenticators(self) -> int:
        """The demo professionals share a published key: `manage.py demo_totp EMAIL`."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        created = 0
        for email in [ADMIN["email"], *(data["email"] for data in CLINICIANS)]:
            user = User.objects.get(email=email)
            if accounts.totp_device(user) is None:
                TOTPDevice.objects.create(user=user, name="Démo", key=accounts.DEMO_TOTP_KEY)
                created += 1
        return created

    def _seed_portal(self) -> int:
        """Bobby's portal, activated, so the patient space can be tried at once."""
        from django.utils import timezone

        from portal import services as portal

        bobby = Identity.objects.get(birth_name="TELECONSULTATION", first_name="BOBBY")
        if hasattr(bobby, "portal"):
            return 0
        clinician = User.objects.get(email=CLINICIANS[0]["email"])
        portal.create_portal(
            identity=bobby,
            email=PATIENTS[0]["email"],
            mobile=PATIENTS[0]["mobile"],
            quality="titulaire",
            consent_given=True,
            consent_method="consultation",
            by=clinician,
        )
        patient = User.objects.get(email=PATIENTS[0]["email"])
        patient.set_password(DEMO_PASSWORD)
        patient.activated_at = timezone.now()
        patient.save(update_fields=["password", "activated_at"])
        return 1

    def _seed(self) -> int:
        created = 0
        if not User.objects.filter(email=ADMIN["email"]).exists():
            User.objects.create_superuser(password=DEMO_PASSWORD, **ADMIN)
            created += 1
        for data in CLINICIANS:
            profile_fields = {
                key: data[key]
                for key in ("rpps", "profession", "specialty", "organisation", "default_amount")
            }
            user = User.objects.filter(email=data["email"]).first()
            if user is None:
                user = User.objects.create_user(
                    data["email"],
                    DEMO_PASSWORD,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=User.Role.CLINICIAN,
                )
                ProfessionalProfile.objects.create(user=user, **profile_fields)
                created += 1
            # A clinician with an account is also a recipient in the directory.
            documents.register_professional(
                rpps=data["rpps"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                profession=data["profession"],
                specialty=data["specialty"],
                email=data["email"],
                user=user,
            )
        for data in PATIENTS:
            if not Identity.objects.filter(
                birth_name=normalize_name(data["birth_name"]),
                first_name=normalize_name(data["first_name"]),
                birth_date=data["birth_date"],
            ).exists():
                identities.create_identity(traits=identities.Traits(**data))
                created += 1
        created += self._seed_portal()
        for data in ORGANISATIONS:
            documents.register_organisation(**data)
        for data in PROFESSIONALS:
            fields = dict(data)
            finess = fields.pop("organisation_finess", None)
            fields["organisation"] = Organisation.objects.get(finess=finess) if finess else None
            documents.register_professional(**fields)
        return created
