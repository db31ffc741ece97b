"""The floor of the people who log in: users, roles, professional profiles, access decorators."""
