from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from compensation.views_calculator import calculator
from gdportal.api.problems import api_not_found
from gdportal.deadlines.views import sla_board
from gdportal.metrics import metrics_view

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = _("GD Portal")
admin.site.index_title = _("Analysis queues")

urlpatterns = [
    path("", include("gdportal.web.urls")),
    path("accounts/", include("gdportal.accounts.urls")),
    path("conta/webhooks/", include("gdportal.webhooks.urls")),
    # Sistema de compensação in Atende (SPEC §7.1), before the broader /atende/gd/ and /atende/ includes.
    path("atende/gd/compensacao/", include("compensation.urls_atende")),
    # Stage 3's Atende pages (Vistoria, Cancelamento, Aceitar) under /atende/gd/, before atende's own.
    path("atende/gd/", include("parecer.urls")),
    path("atende/", include("atende.urls")),
    path("verificar/", include("parecer.verify_urls")),
    path("compensacao/", include("compensation.urls_statement")),
    path("acompanhamento/", include("atende.public_urls")),
    # Public, outside compensation's own URLs (/compensacao/, the titular's pages): an address of its own.
    path("calculadora/", calculator, name="calculator"),
    # Bulk filing (SPEC §14) makes stage 1 drafts, so atende serves it, at APR Web's address for RTs.
    path("apr/lote/", include("atende.urls_bulk")),
    path("transparencia/", include("gdportal.transparency.urls")),
    path("apr/", include("aprweb.urls")),
    path("captcha/", include("captcha.urls")),
    path("admin/prazos/", sla_board, name="sla_board"),
    # Prometheus (gdportal/metrics.py): 404 without the token or outside GD_METRICS_NETWORKS; nginx hides it.
    path("metrics", metrics_view, name="metrics"),
    # Integrators (SPEC §14): the kernel's endpoints and each stage's, under one version prefix.
    path(
        "api/v1/",
        include(
            [
                path("", include("gdportal.api.urls")),
                path("", include("parecer.api_urls")),
                path("", include("compensation.api_urls")),
                path("", include("atende.api_urls")),
                path("", include("aprweb.api_urls")),
                # Last: any other address under /api/v1/ (an id like "1.9") is a problem+json 404 too.
                re_path(r"^", api_not_found),
            ]
        ),
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("conta/api/", include("gdportal.api.urls_pages")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("dev/", include("gdportal.notifications.dev_urls"))]

# Under /api/ a 404 or 500 outside the API's views is problem+json like the rest of it; elsewhere the pages.
handler404 = "gdportal.api.problems.page_not_found"
handler500 = "gdportal.api.problems.server_error"
