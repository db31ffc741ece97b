"""Teleconsultations: planning and finalisation come with the teleconsultation issue."""
