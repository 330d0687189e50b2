"""What a clock runs on: a case, an RT registration, later a GFC or an allocation (issue 9).

A clock points at its subject through a content type and an id, so the engine imports no stage and no kernel
model. Each subject model registers itself here (in its app's ready()): how the board names it and links to
it, the tag of its e-mails' `related_object`, and the queryset its e-mails load it from.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType


@dataclass(frozen=True)
class Subject:
    model: type
    tag: str  # "case": outbox rows about it are related_object="case:<id>"; e-mail templates see it as `case`
    label: Callable  # (subject) -> str: what the board and the digest show
    url: Callable  # (subject) -> str: where staff act on it (the admin)
    queryset: Callable | None = None  # () -> QuerySet it is loaded from (select_related what e-mails read)

    def objects(self):
        return self.queryset() if self.queryset else self.model._default_manager.all()

    @property
    def context_name(self):
        return self.tag.replace("-", "_")


_SUBJECTS: dict[str, Subject] = {}


def register_subject(model, *, tag, label, url, queryset=None):
    subject = Subject(model=model, tag=tag, label=label, url=url, queryset=queryset)
    _SUBJECTS[model._meta.label_lower] = subject
    return subject


def subject_of_model(model):
    return _SUBJECTS.get(model._meta.label_lower)


def subject_of_type(content_type_id):
    """The registration of a content type's model (the ContentType lookup is cached per process)."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return subject_of_model(model) if model is not None else None


def all_subjects():
    return list(_SUBJECTS.values())


def content_type_of(model_or_instance):
    # for_concrete_model: a proxy (the admin's queues are proxies of the case) is the same subject.
    return ContentType.objects.get_for_model(model_or_instance, for_concrete_model=True)


def tag_of_type(content_type_id):
    subject = subject_of_type(content_type_id)
    if subject is not None:
        return subject.tag
    ct = ContentType.objects.get_for_id(content_type_id)
    return f"{ct.app_label}.{ct.model}"
