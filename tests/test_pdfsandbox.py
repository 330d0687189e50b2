"""The PDF sandbox (gdportal/pdfsandbox.py): every limit ends a hostile parse, and nothing is left running."""

import ast
import subprocess
import sys
import time

import pytest

from gdportal import pdfsandbox
from gdportal.pdfsandbox import PdfRefused, inspect_pdf
from tests.files import aes256_pdf_bytes, pdf_bomb, pdf_bytes, pdf_with_text


@pytest.fixture
def children(monkeypatch):
    """Every child process the sandbox starts, to check afterwards that none is left behind."""
    started = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(pdfsandbox.subprocess, "Popen", recording_popen)
    return started


def refused(data, **limits):
    started = time.monotonic()
    with pytest.raises(PdfRefused) as exc:
        inspect_pdf(data, **limits)
    return exc.value, time.monotonic() - started


def test_reads_pages_and_text_with_a_cap():
    result = inspect_pdf(pdf_with_text("Parecer de acesso"), text=True)
    assert result == {"encrypted": False, "pages": 1, "text": "Parecer de acesso"}
    assert inspect_pdf(pdf_with_text("Parecer de acesso"), text=True, max_text_chars=7)["text"] == "Parecer"
    assert inspect_pdf(pdf_bytes(3)) == {"encrypted": False, "pages": 3}


def test_encrypted_pdf_is_reported_not_failed():
    assert inspect_pdf(aes256_pdf_bytes())["encrypted"] is True


def test_cpu_limit_kills_the_parse(children):
    error, elapsed = refused(pdf_bomb(), cpu_seconds=1, timeout=30)
    assert error.code == "limit" and error.detail == "killed by SIGXCPU"
    assert elapsed < 10 and children[0].returncode is not None


def test_memory_limit_stops_the_parse(children):
    error, elapsed = refused(pdf_bomb(), memory_mb=96, cpu_seconds=30, timeout=30)
    assert error.code == "limit" and "MemoryError" in error.detail
    assert elapsed < 10 and children[0].returncode is not None


def test_wall_clock_limit_kills_a_slow_parse(children):
    error, elapsed = refused(pdf_bomb(), cpu_seconds=60, timeout=1)
    assert error.code == "limit" and "no answer within 1 s" in error.detail
    assert elapsed < 3
    assert children[0].returncode is not None  # killed and reaped: no orphan keeps burning CPU


def test_a_worker_that_cannot_start_is_unavailable_not_a_verdict(caplog):
    """A memory limit too small for Python itself (a configuration mistake) must not read as "damaged"."""
    error, _elapsed = refused(pdf_bytes(), memory_mb=8)
    assert error.code == "unavailable" and "gave no answer" in caplog.text


def test_damaged_pdf_is_damaged():
    error, _elapsed = refused(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF\n")
    assert error.code == "damaged"


def test_the_child_imports_only_the_standard_library_and_pypdf():
    """It reads hostile input: no Django, no settings, no project code in that process."""
    tree = ast.parse(pdfsandbox.WORKER.read_text())
    modules = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules - sys.stdlib_module_names == {"pypdf"}
    assert "DJANGO_SECRET_KEY" not in pdfsandbox.CHILD_ENV and "DATABASE_URL" not in pdfsandbox.CHILD_ENV
