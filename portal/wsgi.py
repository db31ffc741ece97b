"""WSGI entry point, served by gunicorn in production."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# What start-up built (Django, the apps and their modules) lives as long as the worker: moved out
# of the collector's reach, so that a full collection, when one falls in a request, walks only
# what requests made since (measured on an identity search: an 80 ms pause, then none).
gc.freeze()
