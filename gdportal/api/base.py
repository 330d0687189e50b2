"""What every endpoint of /api/v1/ shares: who may call, the limit, the errors, idempotent POSTs."""

from rest_framework import viewsets
from rest_framework.views import APIView

from . import idempotency
from .permissions import IsFiler


class IdempotentMixin:
    """Reserves the Idempotency-Key before the view runs and stores its answer after (idempotency.py)."""

    _reserved = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._reserved = idempotency.claim(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return idempotency.replay(exc.answer)
        try:
            return super().handle_exception(exc)
        except Exception:
            # A server error: the key is released, so the client's retry runs the request again.
            if self._reserved is not None:
                idempotency.release(self._reserved)
                self._reserved = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._reserved is not None:
            idempotency.store(self._reserved, response)
            self._reserved = None
        return response


class ApiView(IdempotentMixin, APIView):
    permission_classes = [IsFiler]


class ApiViewSet(IdempotentMixin, viewsets.GenericViewSet):
    permission_classes = [IsFiler]
