"""The "Acesso por API" page: a customer's or RT's personal tokens (SPEC §14)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gdportal.formfields import NamedRequiredMixin

from .auth import may_hold_token
from .models import ApiToken

MAX_LIVE_TOKENS = 20


class TokenForm(NamedRequiredMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=80,
        help_text=gettext_lazy("Where it will be used, e.g. “ERP da empresa” — to recognise it later."),
    )


def _filer(request):
    if not may_hold_token(request.user):
        raise PermissionDenied
    return request.user


@never_cache
@login_required
def tokens(request):
    user = _filer(request)
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ApiToken.objects.live().filter(user=user).count() >= MAX_LIVE_TOKENS:
            form.add_error(None, _("Revoke a token you no longer use before creating another (at most 20)."))
        else:
            # Shown on this answer only (no redirect, no cache): the token exists nowhere else in clear.
            token, created = ApiToken.issue(user=user, name=form.cleaned_data["name"])
            form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(user=user),
    }
    # never_cache marks the answer no-store: the token shown once is kept by no cache.
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def revoke(request, pk):
    user = _filer(request)
    token = get_object_or_404(ApiToken.objects.live(), pk=pk, user=user)
    token.revoke(by=user)
    from django.contrib import messages

    messages.success(
        request, _("Token “%(name)s” revoked: calls with it now get 401.") % {"name": token.name}
    )
    return redirect("api_access:tokens")
