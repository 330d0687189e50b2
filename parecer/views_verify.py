"""/verificar/ (SPEC §6.1): anyone holding a parecer checks that Cemig issued it — protocol, issue date,
validity and the PDF's SHA-256, nothing personal. Wrong codes are counted per address and limited, so the
codes cannot be enumerated."""

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gdportal import ratelimit
from gdportal.cases.choices import CaseState
from gdportal.clientip import client_ip

from .models import Parecer

WINDOW = 15 * 60  # seconds: wrong codes counted per address in this window (GD_VERIFY_LIMIT)
IN_FORCE = {CaseState.PARECER_ISSUED, CaseState.PARECER_ACCEPTED}
USED = {CaseState.INSPECTION_REQUESTED, CaseState.INSPECTION_FAILED, CaseState.CONNECTED}


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=20,
        help_text=gettext_lazy("As printed at the foot of the access opinion, e.g. ABCD-EFGH-JKMN."),
    )


def normalize_code(value):
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def _blocked(request):
    return ratelimit.count("verify", client_ip(request), WINDOW) >= settings.GD_VERIFY_LIMIT


def _find(code):
    code = normalize_code(code)
    if len(code) != 12:
        return None
    return Parecer.objects.select_related("case", "document").filter(verification_code=code).first()


def _blocked_page(request):
    return render(request, "parecer/verify_lookup.html", {"form": VerifyForm(), "blocked": True}, status=429)


@require_http_methods(["GET", "POST"])
def lookup(request):
    if _blocked(request):
        return _blocked_page(request)
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        parecer = _find(form.cleaned_data["code"])
        if parecer is not None:
            return redirect("verify:code", code=parecer.verification_code)
        ratelimit.hit("verify", client_ip(request), WINDOW)
        form.add_error("code", _("No access opinion has this code. Check the code printed on the document."))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "parecer/verify_lookup.html", {"form": form}, status=status)


def _situation(parecer):
    state = parecer.case.state
    if not parecer.favourable:
        return _("Unfavourable: it does not authorise the connection")
    if state in IN_FORCE:
        return _("In force")
    if state in USED:
        return _("In use: the inspection was requested")
    if state == CaseState.PARECER_EXPIRED:
        return _("Expired")
    return _("No longer in force (cancelled)")


@require_GET
def show(request, code):
    if _blocked(request):
        return _blocked_page(request)
    parecer = _find(code)
    if parecer is None:
        ratelimit.hit("verify", client_ip(request), WINDOW)
        form = VerifyForm(initial={"code": code})
        return render(request, "parecer/verify_lookup.html", {"form": form, "not_found": True}, status=404)
    return render(request, "parecer/verify_show.html", {"parecer": parecer, "situation": _situation(parecer)})
