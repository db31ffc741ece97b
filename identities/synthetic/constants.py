"""The fixed parameters of the synthetic population (seed, reference date, shares)."""

import datetime

DEFAULT_SEED = 2026


# Ages are counted from this date, so the output does not depend on the day it is generated.
REFERENCE_DATE = datetime.date(2026, 1, 1)


# Synthetic rows are told apart from real ones by this e-mail domain (``.test`` is reserved).
EMAIL_DOMAIN = "synthetique.test"


HYPHENATED_SHARE = 0.06


ABROAD_SHARE = 0.08


UNKNOWN_BIRTHPLACE_SHARE = 0.002


TOP_SURNAMES_SHARE = 0.08


TAIL_VOCABULARY_SIZE = 600_000


FRANCE, ABROAD, UNKNOWN = "france", "abroad", "unknown"  # Identity.BirthplaceKind values


UNKNOWN_BIRTHPLACE_CODE = "99999"
