"""English formats, in the same day/month order as the French pages."""

DATETIME_FORMAT = r"d/m/Y \a\t H:i"
SHORT_DATETIME_FORMAT = r"d/m/Y \a\t H:i"
DATE_FORMAT = "d/m/Y"
