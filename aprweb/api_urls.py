"""Stage 2 under /api/v1/ (included by gdportal/urls.py)."""

from rest_framework.routers import SimpleRouter

from gdportal.middleware import accepts_uploads

from . import api

router = SimpleRouter()
router.register("orders", api.OrderViewSet, basename="api-order")
urlpatterns = router.urls

# The upload guard lets multipart bodies reach marked views only: the documents route, one file each.
for pattern in urlpatterns:
    if pattern.name == "api-order-documents":
        accepts_uploads(pattern.callback, files=1)
