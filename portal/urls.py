"""Root URL configuration, and the URLs of the accounts."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import views

portal_patterns = [
    path("", views.home, name="home"),
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("mentions-legales/", views.legal, name="legal"),
    path("sante/", views.health, name="health"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("dossier/", include("identities.urls")),
    path("teleconsultation/", include("teleconsult.urls")),
    path("documents/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = f"{settings.PORTAL_NAME} : administration"
admin.site.site_title = settings.PORTAL_NAME
