"""Stage 1's admin entries: proxies over the kernel's case (same rows, their own lists)."""

from django.utils.translation import gettext_lazy as _

from gdportal.cases.models import Case


class CommercialQueue(Case):
    """Admin entry for the commercial analysts' queue (a proxy: same rows, its own list)."""

    class Meta:
        proxy = True
        verbose_name = _("commercial analysis queue")
        verbose_name_plural = _("commercial analysis queue")
