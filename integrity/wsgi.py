"""WSGI entry point: `gunicorn integrity.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrity.settings")

application = get_wsgi_application()
