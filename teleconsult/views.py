"""Pages of the teleconsultation: planning and finalisation come with their issues."""
