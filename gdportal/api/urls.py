"""The kernel's endpoints under /api/v1/; each stage adds its own (its api_urls.py, included beside this)."""

from rest_framework.routers import SimpleRouter

from .views_cases import CaseViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-case")
urlpatterns = router.urls
