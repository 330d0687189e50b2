"""Parts of pages rendered once and then copied, from this process's memory (issue 15: template rendering was
most of the signed-in pages' CPU).

{% same_for_everyone %}…{% end_same_for_everyone %} — what is the same for every request in a language: the
layout's menus and footer (their `{% url %}` links, the static files' hashed names and their texts cost
~1.2 ms per page). Never the user, the CSRF token, the messages, a form or anything taken from the request.

{% fragment_cache v1 v2 … %}…{% end_fragment_cache %} — a row of a list (or a form as typed), kept under the
values it shows: the block must print or test nothing but the listed values (the language and the time zone
are always part of the key). A change to any listed value is another key, so a kept copy never shows an old
state; what depends on the clock ("3 business days left") is computed first and listed like any other value.
The key being everything the copy shows, a copy holds nothing its reader does not already see.

Why this process's memory and not Redis: a hit is a dictionary lookup, not a network round trip with its
(un)pickling; nothing fails when Redis does; a deploy starts with no copies, so a changed template or
translation is never served from an old one; and no customer's name or protocol is copied into another
store. The copies are bounded in size (least recently used out first); a settings change (the tests'
`settings` fixture, e.g. another ROOT_URLCONF) forgets them all.
"""

import contextlib
import datetime as dt
import threading
from collections import OrderedDict
from decimal import Decimal

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()

_lock = threading.Lock()
_copies = OrderedDict()  # key -> (html, characters held for it), least recently used first
_size = 0  # characters held: the copies and the texts of their keys


def budget():
    return settings.GD_FRAGMENT_CACHE_CHARS


@receiver(setting_changed, dispatch_uid="gdportal.web.fragments.forget")
def forget_all(**kwargs):
    global _size
    with _lock:
        _copies.clear()
        _size = 0


def _kept(key, key_size, render):
    """The copy kept under `key`, else render() kept there; with `key` None (values that cannot be a key),
    render(). A copy (with its key) larger than a hundredth of the budget is not kept."""
    global _size
    if key is None or not budget():
        return render()
    kept = _copies.get(key)
    if kept is not None:
        with contextlib.suppress(KeyError):  # pushed out by another thread meanwhile
            _copies.move_to_end(key)
        return kept[0]
    html = render()
    size = len(html) + key_size
    if size <= budget() // 100:
        with _lock:
            if key not in _copies:
                _copies[key] = (html, size)
                _size += size
            while _size > budget():
                _size -= _copies.popitem(last=False)[1][1]
    return html


PLAIN = (int, float, Decimal, dt.date, dt.time, dt.timedelta, type(None))


def _text_size(value):
    """The characters of text in a key made of plain values, or None if one is not plain: a model instance
    (hashed by its pk alone), a list, a lazy translation."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, tuple):
        total = 0
        for item in value:
            size = _text_size(item)
            if size is None:
                return None
            total += size
        return total
    return 8 if isinstance(value, PLAIN) else None


@register.filter
def values_of(rows, names):
    """`events|values_of:"pk created_at note"`: those attributes of each row, as a key for fragment_cache."""
    names = names.split()
    return tuple(tuple(getattr(row, name) for name in names) for row in rows)


class SameForEveryoneNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return _kept((self, get_language()), 0, lambda: self.nodelist.render(context))


class FragmentCacheNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values

    def render(self, context):
        values = tuple(value.resolve(context) for value in self.values)
        size = _text_size(values)  # anything but plain values is rendered, never kept
        key = None if size is None else (self, get_language(), timezone.get_current_timezone_name(), values)
        return _kept(key, size or 0, lambda: self.nodelist.render(context))


@register.tag
def same_for_everyone(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("same_for_everyone takes no arguments")
    nodelist = parser.parse(("end_same_for_everyone",))
    parser.delete_first_token()
    return SameForEveryoneNode(nodelist)


@register.tag
def fragment_cache(parser, token):
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not values:
        raise template.TemplateSyntaxError("fragment_cache needs the values its block shows")
    nodelist = parser.parse(("end_fragment_cache",))
    parser.delete_first_token()
    return FragmentCacheNode(nodelist, values)
