"""French formats: "30/11/2026 à 17:25" (the rest is Django's French locale)."""

DATETIME_FORMAT = r"d/m/Y \à H:i"
SHORT_DATETIME_FORMAT = r"d/m/Y \à H:i"
DATE_FORMAT = "d/m/Y"
