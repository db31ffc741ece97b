"""URLs of the notifications app."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("dev/boite-d-envoi/", views.dev_outbox, name="dev_outbox"),
    path("twilio/statut/", views.twilio_status, name="twilio_status"),
]
