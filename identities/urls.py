"""URLs of the identity directory, under /dossier/ as in the guide."""

from django.urls import path

from identities import views

app_name = "identities"

urlpatterns = [
    path("rechercher/", views.search, name="search"),
    path("creer/", views.create, name="create"),
    path("communes/", views.communes, name="communes"),
    path("pays/", views.countries, name="countries"),
    path("<uuid:identity_uuid>/", views.detail, name="detail"),
]
