from django.conf import settings


def portal(request):
    return {"DEBUG_MAILBOX": settings.DEBUG}
