"""Teleconsultations in the Django admin (none yet)."""
