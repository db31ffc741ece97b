"""Patient portals in the Django admin (users and professional profiles: ``accounts.admin``)."""
