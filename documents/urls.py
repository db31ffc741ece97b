"""URLs of the documents app."""

from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("<uuid:document_uuid>/", views.download, name="download"),
]
