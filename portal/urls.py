"""Root URL configuration, and the URLs of the accounts."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from portal import health, views

portal_patterns = [
    path("", views.home, name="home"),
    path("connexion/", accounts_views.login, name="login"),
    path("connexion/code/", accounts_views.login_code, name="login_code"),
    path("connexion/application/", accounts_views.login_enrol, name="login_enrol"),
    path("connexion/codes-de-secours/", accounts_views.recovery_codes, name="recovery_codes"),
    path("session/prolonger/", accounts_views.keep_alive, name="keep_alive"),
    path("connexion/psc/", accounts_views.psc_login, name="psc_login"),
    path("connexion/psc/retour/", accounts_views.psc_callback, name="psc_callback"),
    path("connexion/psc/deconnexion/", accounts_views.psc_logged_out, name="psc_logged_out"),
    path("deconnexion/", accounts_views.logout, name="logout"),
    path("mentions-legales/", views.legal, name="legal"),
    path("portail/creer/<uuid:identity_uuid>/", views.create_portal, name="create_portal"),
    path("espace/", views.patient_home, name="patient_home"),
    path("espace/connexion/", views.patient_login, name="patient_login"),
    path("espace/code/", views.patient_code, name="patient_code"),
    path("espace/code/renvoyer/", views.resend_code, name="resend_code"),
    path("espace/deconnexion/", views.patient_logout, name="patient_logout"),
    path("espace/activation/<str:token>/", views.activate, name="activate"),
    path("espace/securite/", views.security, name="security"),
    path("espace/coordonnees/", views.contact_details, name="contact_details"),
    path("portail/<uuid:portal_uuid>/telephone-perdu/", views.lost_phone, name="lost_phone"),
    path(
        "espace/telephone/confirmer/<str:token>/",
        views.confirm_lost_phone,
        name="confirm_lost_phone",
    ),
    path("espace/acces/confirmer/<str:token>/", views.confirm_access, name="confirm_access"),
    path("espace/<uuid:portal_uuid>/", views.portal_home, name="portal_home"),
    path(
        "espace/<uuid:portal_uuid>/changements/<uuid:change_uuid>/annuler/",
        views.undo_change,
        name="undo_change",
    ),
    path("espace/<uuid:portal_uuid>/historique/", views.portal_history, name="portal_history"),
    path("sante/", health.health, name="health"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("dossier/", include("identities.urls")),
    path("teleconsultation/", include("teleconsult.urls")),
    path("documents/", include("documents.urls")),
    path("", include("printer.urls")),
    path("notifications/", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "portal.views.server_error"

admin.site.site_header = f"{settings.PORTAL_NAME} : administration"
admin.site.site_title = settings.PORTAL_NAME
