"""WSGI entry point, used by gunicorn: ``gunicorn finews.wsgi``."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finews.settings")
application = get_wsgi_application()
