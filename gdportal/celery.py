import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdportal.settings")

app = Celery("gdportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id travels with every task published (before_task_publish) and is set again in the worker.
from gdportal import requestid  # noqa: E402, F401 — connects its Celery signals
