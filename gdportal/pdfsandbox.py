"""Parse untrusted PDFs in a child process with CPU, memory and wall-clock limits.

A 60 KB PDF can hold an object stream that inflates to hundreds of megabytes, or a page tree that takes pypdf
seconds of pure-Python parsing; inside a web worker that blocks the worker (and, through the GIL, its other
threads) and grows its memory for good. Here the parse runs in `python -I -B gdportal/pdfworker.py`, a process
that imports only pypdf, limits itself (RLIMIT_CPU, RLIMIT_AS, no files) before it reads the input, and is
killed if it outlives GD_PDF_TIMEOUT_SECONDS. Its answer is a small dict; anything else is a `PdfRefused`.

Starting the child costs about 0.15 s (mostly importing pypdf), measured on the 2-core development machine.
"""

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("pdfworker.py")
# The child gets no secrets: not the database URL, not the Django secret key, nothing from our environment.
CHILD_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


class PdfRefused(Exception):
    """The PDF could not be read within the limits. `code`: "damaged", "limit" or "unavailable"."""

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def inspect_pdf(
    data,
    *,
    text=False,
    max_text_chars=200_000,
    text_pages=0,
    page_chars=20_000,
    cpu_seconds=None,
    memory_mb=None,
    timeout=None,
):
    """Open `data` (bytes) in the sandbox: {"pages": int | None, "encrypted": bool[, "text": str]}.

    An encrypted PDF is not an error here (pages is then None): the caller decides. `text=True` also returns
    the text of the pages, at most `max_text_chars` characters. `text_pages=N` also returns, for the document
    checks, "sizes" ([width, height] of every page's mediabox, in points), "page_texts" (the text of the first
    N pages, `page_chars` characters each at most), "unreadable" (numbers of the pages whose text could not be
    read) and "truncated" (the text stopped early, at about half the CPU limit). The limits default to the
    GD_PDF_* settings.
    """
    options = {
        "cpu_seconds": int(cpu_seconds or settings.GD_PDF_CPU_SECONDS),
        "memory_mb": int(memory_mb or settings.GD_PDF_MEMORY_MB),
        "text": bool(text),
        "max_text_chars": int(max_text_chars),
    }
    if text_pages:
        options["content"] = {
            "text_pages": int(text_pages),
            "page_chars": int(page_chars),
            # Opening the file and reading the sizes come first; the text gets what is left of half the limit.
            "text_cpu_seconds": options["cpu_seconds"] / 2,
        }
    timeout = timeout or settings.GD_PDF_TIMEOUT_SECONDS
    try:
        # Our own interpreter on our own script; the untrusted bytes only ever go to its stdin. -I: no user
        # site, no PYTHON* variables, not even the script's folder on sys.path; -B: it may write no files.
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-I", "-B", str(WORKER), json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=CHILD_ENV,
            cwd="/",
            start_new_session=True,  # its own process group, so a kill reaches everything it could start
        )
    except OSError as exc:  # no memory or no process slots left for a child: try again later, fail closed
        logger.error("PDF sandbox could not start: %s", exc)
        raise PdfRefused("unavailable", str(exc)) from exc
    try:
        out, err = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise PdfRefused("limit", f"no answer within {timeout} s") from exc
    finally:
        if process.returncode is None:
            _kill(process)
    if process.returncode < 0:
        # SIGXCPU or SIGKILL: the CPU limit, or memory gone where Python could not even raise MemoryError.
        raise PdfRefused("limit", f"killed by {signal.Signals(-process.returncode).name}")
    try:
        result = json.loads(out)
    except ValueError as exc:
        # Our worker always answers unless it could not even start (GD_PDF_MEMORY_MB too small for Python
        # itself, a broken install): ours to fix, so it is logged as an error and the file is not judged.
        logger.error("PDF sandbox gave no answer (exit %s): %s", process.returncode, err[-2000:])
        raise PdfRefused("unavailable", f"no answer, exit {process.returncode}") from exc
    if not result.get("ok"):
        raise PdfRefused(result.get("code", "damaged"), result.get("detail", ""))
    result.pop("ok")
    return result


def _kill(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # Drop the pipes so nothing stays open in a long-lived web worker.
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream:
            stream.close()
