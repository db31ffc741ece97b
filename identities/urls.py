"""URLs of the identities app."""

from django.urls import URLPattern

app_name = "identities"

urlpatterns: list[URLPattern] = []
