"""The CAPTCHA of the public forms, usable without sight (issue 10).

django-simple-captcha draws the image and checks the answer. Around it this module adds what a person who
cannot see the image needs: a visible label, a new challenge on request, the challenge read aloud by a local
voice (espeak-ng, no network) in the page's language — and, on a machine without that voice, a short
arithmetic question in text, so `make run` on a bare machine still lets a blind RT register.
"""

import os
import secrets
import subprocess  # nosec B404
import tempfile

from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gdportal import ratelimit
from gdportal.clientip import client_ip

# The query string that asks for the text question instead of the image (kept on POST: the form posts back
# to its own URL).
TEXT_MODE_PARAM, TEXT_MODE_VALUE = "desafio", "texto"
AUDIO_LIMIT, AUDIO_WINDOW = 60, 600  # each audio starts a process: 60 per address per 10 minutes


def voice_path():
    """The executable of the local voice, or None when this machine has none."""
    path = settings.GDPORTAL_CAPTCHA_VOICE
    return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


def text_mode_requested(request):
    """The text question is offered only where there is no voice: with one, the audio is the alternative."""
    return request.GET.get(TEXT_MODE_PARAM) == TEXT_MODE_VALUE and voice_path() is None


def arithmetic_challenge():
    """A generator for django-simple-captcha: the challenge "7 + 2" is asked as a sentence, answered "9"."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    return f"{a} + {b}", str(a + b)


class CaptchaWidget(CaptchaTextInput):
    template_name = "captcha/portal_widget.html"
    # One input a person types into, labelled by the field's own <label> — not a fieldset of two inputs.
    use_fieldset = False

    def __init__(self, text_mode=False):
        self.text_mode = text_mode
        # No class here: these attrs would override the ones crispy-forms gives each input (is-invalid).
        attrs = {"inputmode": "numeric"} if text_mode else None
        super().__init__(attrs=attrs, generator=arithmetic_challenge if text_mode else None)

    def audio_url(self):
        if self.text_mode or voice_path() is None:
            return None
        return reverse("web:captcha_audio", kwargs={"key": self._key})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        answer = context["widget"]["subwidgets"][1]["attrs"]
        question = None
        if self.text_mode:
            a, b = CaptchaStore.objects.get(hashkey=self._key).challenge.split(" + ")
            question = _("How much is %(a)s plus %(b)s? Answer with digits.") % {"a": a, "b": b}
            answer["aria-describedby"] = " ".join(
                filter(None, [f"{answer['id']}_question", answer.get("aria-describedby")])
            )
        context.update(
            text_mode=self.text_mode,
            question=question,
            refresh_url=self.refresh_url(),
            has_voice=voice_path() is not None,
            text_mode_query=f"?{TEXT_MODE_PARAM}={TEXT_MODE_VALUE}",
        )
        return context


class PortalCaptchaField(CaptchaField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Confirmation code"))
        kwargs.setdefault("help_text", gettext_lazy("Type the characters shown in the image."))
        super().__init__(widget=CaptchaWidget(), **kwargs)

    def use_text_mode(self):
        self.widget = CaptchaWidget(text_mode=True)
        self.help_text = ""


@require_GET
def captcha_audio(request, key):
    """The challenge of `key` read aloud, letter by letter, as a WAV file."""
    voice = voice_path()
    if voice is None:
        raise Http404
    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    if store is None:
        return HttpResponse(status=410)  # expired or answered: the page offers a new challenge
    if ratelimit.exceeded("captcha-audio", client_ip(request), limit=AUDIO_LIMIT, window=AUDIO_WINDOW):
        return HttpResponse(status=429)
    response = HttpResponse(_speak(voice, store.challenge), content_type="audio/wav")
    response["Content-Disposition"] = 'inline; filename="desafio.wav"'
    response["Cache-Control"] = "no-store"
    return response


def _speak(voice, challenge):
    # Commas make the voice name each letter ("é", not the word "e") and pause between them.
    text = ", ".join(challenge)
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "challenge.wav")
        # The executable comes from settings and the text is the CAPTCHA's own letters: nothing from the user.
        subprocess.run(  # noqa: S603  # nosec B603
            [voice, "-v", language, "-s", "120", "-g", "8", "-w", path, "--", text],
            check=True,
            timeout=10,
            capture_output=True,
        )
        with open(path, "rb") as audio:
            return audio.read()
