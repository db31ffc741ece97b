"""URLs of the teleconsult app."""

from django.urls import URLPattern

app_name = "teleconsult"

urlpatterns: list[URLPattern] = []
