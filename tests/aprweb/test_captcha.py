"""Issue 10, item 15: an RT who cannot see the CAPTCHA image can still register. The answer box has a visible
label, a new challenge is one click away (with or without JavaScript), the challenge is read aloud by a local
voice — and where the machine has no voice, a question in text takes its place."""

import re
import shutil

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from aprweb.models import RTRegistration
from tests.aprweb.test_registration import FORM
from tests.conftest import IN_CI
from tests.visible_text import visible_text

pytestmark = pytest.mark.django_db

REGISTER = "/apr/cadastro/"


@pytest.fixture
def voice(settings):
    path = shutil.which("espeak-ng")
    if path is None:
        if IN_CI:
            pytest.fail("espeak-ng is required in CI (.ci/run installs it)")
        pytest.skip("espeak-ng not installed (apt-get install espeak-ng)")
    settings.GDPORTAL_CAPTCHA_VOICE = path
    return path


@pytest.fixture
def no_voice(settings):
    settings.GDPORTAL_CAPTCHA_VOICE = ""


def _key(html):
    return re.search(r'name="captcha_0" value="(\w+)"', html)[1]


def _links(html):
    return dict((m[2].strip(), m[1]) for m in re.finditer(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', html))


def test_the_answer_box_has_a_visible_label_and_a_new_challenge_control(client, no_voice):
    html = client.get(REGISTER).content.decode()
    label = re.search(r'<label[^>]*for="id_captcha_1"[^>]*>(.*?)</label>', html, re.S)
    assert label and visible_text(label[1]).strip("* ")  # a label a sighted person reads, tied to the box
    assert 'id="id_captcha_1"' in html and "<fieldset" not in html.split('id="div_id_captcha"')[1][:200]
    # With JavaScript a button asks the library's refresh endpoint; without it a link reloads the page.
    assert f'data-captcha-refresh="{reverse("captcha-refresh")}"' in html
    assert re.search(r"<button[^>]*data-captcha-new", html)
    assert re.search(r'<a href="\?" data-captcha-reload>', html)
    assert "js/portal.js" in html
    image_alt = re.search(r'<img[^>]*data-captcha-image[^>]*alt="([^"]+)"', html, re.S)
    assert image_alt and image_alt[1].lower() != "captcha"


def test_the_refresh_endpoint_gives_a_new_image(client):
    first = _key(client.get(REGISTER).content.decode())
    fresh = client.get(reverse("captcha-refresh"), headers={"x-requested-with": "XMLHttpRequest"}).json()
    assert fresh["key"] != first and fresh["key"] in fresh["image_url"]
    assert client.get(fresh["image_url"])["Content-Type"] == "image/png"


def test_with_a_voice_the_page_links_to_the_challenge_read_aloud(client, voice):
    html = client.get(REGISTER).content.decode()
    key = _key(html)
    audio = re.search(r'<a href="([^"]+)" data-captcha-audio>', html)
    assert audio and audio[1] == reverse("web:captcha_audio", args=[key])
    response = client.get(audio[1])
    body = response.content
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE" and len(body) > 20_000  # a few seconds of speech
    # The text question is only for machines without a voice: here the image and its audio stay.
    text_mode = client.get(REGISTER + "?desafio=texto").content.decode()
    assert "data-captcha-image" in text_mode and "data-captcha-audio" in text_mode


def test_the_audio_of_an_unknown_or_answered_challenge_is_gone(client, voice):
    assert client.get(reverse("web:captcha_audio", args=["0" * 40])).status_code == 410


def test_without_a_voice_there_is_no_audio_link_but_a_question_in_text(client, no_voice):
    html = client.get(REGISTER).content.decode()
    assert "data-captcha-audio" not in html
    assert client.get(reverse("web:captcha_audio", args=[_key(html)])).status_code == 404
    assert "?desafio=texto" in _links(html).values()

    page = client.get(REGISTER + "?desafio=texto").content.decode()
    assert "data-captcha-image" not in page
    store = CaptchaStore.objects.get(hashkey=_key(page))
    a, b = store.challenge.split(" + ")
    question = re.search(r'<p[^>]*id="id_captcha_1_question"[^>]*>([^<]+)</p>', page)[1]
    assert a in question and b in question
    assert re.search(r'<input[^>]*id="id_captcha_1"[^>]*aria-describedby="[^"]*id_captcha_1_question', page)

    wrong = client.post(
        REGISTER + "?desafio=texto",
        {**FORM, "captcha_0": store.hashkey, "captcha_1": str(int(store.response) + 1)},
    )
    assert wrong.status_code == 400 and not RTRegistration.objects.exists()
    # The refused page asks a new question, still in text (the form posts back to its own address), and marks
    # the box invalid so Bootstrap shows the message under it.
    again = wrong.content.decode()
    box = re.search(r'<input[^>]*name="captcha_1"[^>]*>', again)[0]
    assert "is-invalid" in box and 'aria-invalid="true"' in box
    assert "id_captcha_1_question" in again
    retry = CaptchaStore.objects.get(hashkey=_key(again))
    right = client.post(
        REGISTER + "?desafio=texto", {**FORM, "captcha_0": retry.hashkey, "captcha_1": retry.response}
    )
    assert right.status_code == 200 and RTRegistration.objects.filter(cpf="11144477735").exists()
