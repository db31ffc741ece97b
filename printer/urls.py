"""URLs of the virtual printer: its IPP address and the clinician's pages."""

from django.urls import path

from printer import views

app_name = "printer"

urlpatterns = [
    path("ipp/printer", views.ipp_basic_endpoint, name="ipp_basic"),
    path("ipp/printer/<int:job_id>", views.ipp_basic_endpoint, name="ipp_basic_job"),
    path("ipp/print/<str:token>", views.ipp_endpoint, name="ipp"),
    path("ipp/print/<str:token>/<int:job_id>", views.ipp_endpoint, name="ipp_job"),
    path("imprimante/", views.setup, name="setup"),
    path("imprimante/impressions/", views.inbox, name="inbox"),
    path("imprimante/impressions/<uuid:job_uuid>/", views.job_type, name="job_type"),
    path("imprimante/impressions/<uuid:job_uuid>/fichier/", views.job_file, name="job_file"),
    path("imprimante/impressions/<uuid:job_uuid>/supprimer/", views.job_delete, name="job_delete"),
    path(
        "imprimante/impressions/<uuid:job_uuid>/apercu/", views.job_thumbnail, name="job_thumbnail"
    ),
    path("imprimante/impressions/<uuid:job_uuid>/patient/", views.job_patient, name="job_patient"),
    path(
        "imprimante/impressions/<uuid:job_uuid>/patient/recherche/",
        views.job_patient_search,
        name="job_patient_search",
    ),
    path(
        "imprimante/impressions/<uuid:job_uuid>/destinataires/",
        views.job_recipients,
        name="job_recipients",
    ),
    path(
        "imprimante/impressions/<uuid:job_uuid>/recapitulatif/",
        views.job_recap,
        name="job_recap",
    ),
]
