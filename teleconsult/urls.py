"""URLs of the teleconsult app, under /teleconsultation/ as in the guide."""

from django.urls import path

from teleconsult import views

app_name = "teleconsult"

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("creer/", views.plan, name="plan"),
    path("patients/", views.patients, name="patients"),
    path("rejoindre/<str:token>/", views.join, name="join"),
    path("salle-de-test/<str:room>/", views.stand_in_room, name="stand_in_room"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/finaliser/", views.finalise, name="finalise"),
    path("<uuid:pk>/deplacer/", views.reschedule, name="reschedule"),
    path("<uuid:pk>/annuler/", views.cancel, name="cancel"),
]
