"""Use cases of the teleconsultation: planning and finalisation come with their issue."""
