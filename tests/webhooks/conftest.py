"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) and endpoints for the cast."""

import hashlib
import hmac
import http.server
import json
import threading

import pytest

from gdportal.webhooks.services import endpoint_create
from tests import factories


class Receiver:
    """Records what it is sent; answers `status` (a number, or a function of the request number).

    Served one request at a time by `handle_request` in a loop, so `stop_after=n` stops it right after its
    n-th answer, before any further request is read: the next one finds the port closed, or its connection
    reset — the receiver died mid-stream.
    """

    def __init__(self, port=0, *, status=200, log=None, stop_after=None, body=b'{"ok": true}', headers=None):
        self.log = [] if log is None else log
        self.status = status
        self.body = body
        self.extra_headers = headers or {}
        self.stop_after = stop_after
        self.answered = 0
        self._stopping = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                status = receiver.status(len(receiver.log)) if callable(receiver.status) else receiver.status
                # Logged before the answer leaves: the sender reads the log as soon as it has the answer.
                receiver.log.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body, "status": status}
                )
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)
                receiver.answered += 1
                if receiver.stop_after is not None and receiver.answered >= receiver.stop_after:
                    receiver._stopping.set()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", port), Handler)
        self.server.timeout = 0.05
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/gd"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            while not self._stopping.is_set():
                self.server.handle_request()
        finally:
            # Closing the listening socket refuses new connections and resets the ones not yet accepted.
            self.server.server_close()

    def stop(self):
        self._stopping.set()
        self.thread.join(5)
        assert not self.thread.is_alive()

    @property
    def stopped(self):
        return not self.thread.is_alive()

    def accepted(self):
        """The event ids it answered with a 2xx, in arrival order."""
        return [r["headers"]["X-GDPortal-Event-Id"] for r in self.log if 200 <= r["status"] < 300]


@pytest.fixture
def receiver():
    made = []

    def start(*args, **kwargs):
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield start
    for r in made:
        if not r.stopped:
            r.stop()


def make_endpoint(owner, url="https://hooks.example.com/gd"):
    endpoint, secret = endpoint_create(owner=owner, url=url, description="")
    return endpoint


def signature_ok(secret, request):
    timestamp = request["headers"]["X-GDPortal-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest("sha256=" + expected, request["headers"]["X-GDPortal-Signature"])


def payload(request):
    return json.loads(request["body"])


@pytest.fixture
def analyst(db):
    return factories.StaffFactory(role="Analista comercial")
