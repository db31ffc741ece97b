"""URLs of the documents app."""

from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("envoyer/<uuid:identity_uuid>/", views.send, name="send"),
    path("envois/<uuid:dispatch_uuid>/", views.recap, name="recap"),
    path("recus/", views.received, name="received"),
    path("envois/", views.sent, name="sent"),
    path("correspondants/", views.correspondents, name="correspondents"),
    path("<uuid:document_uuid>/", views.download, name="download"),
]
