"""Sessions read from the cache, written to both (SESSION_ENGINE = "gdportal.sessions" where Redis is set).

Django's `cached_db` engine does the same but calls the cache directly: with Redis down its load() raises on
the cache write after a database read, i.e. every signed-in page answers 500. Here every cache call goes
through gdportal/cache.py, so a cache fault is a miss and the database answers, as it did before (issue 15:
a signed-in page cost one session query and one user query on top of its own; both now come from Redis).

The database stays the record: a session is saved there first, and the cache copy lives at most
SESSION_CACHE_SECONDS. A logout while Redis is unreachable cannot delete the cached copy; that copy then
outlives the logout by at most this timeout, once Redis answers again.
"""

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DBStore

from gdportal.cache import MISSING, cache_delete, cache_get, cache_set

KEY_PREFIX = "gd:session:"


class SessionStore(DBStore):
    @property
    def cache_key(self):
        return KEY_PREFIX + self._get_or_create_session_key()

    def _cache_seconds(self, expiry=None):
        return min(settings.SESSION_CACHE_SECONDS, self.get_expiry_age(expiry=expiry))

    def load(self):
        data = cache_get(self.cache_key, MISSING) if self.session_key else MISSING
        if data is not MISSING:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        cache_set(self.cache_key, data, self._cache_seconds(expiry=stored.expire_date))
        return data

    def save(self, must_create=False):
        super().save(must_create)
        cache_set(self.cache_key, self._session, self._cache_seconds())

    def delete(self, session_key=None):
        super().delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        cache_delete(KEY_PREFIX + session_key)

    def flush(self):
        self.clear()
        self.delete(self.session_key)
        self._session_key = None
