"""Uploaded files (SPEC §10): size cut off while streaming, type by content, structure checked.

A name or a Content-Type header proves nothing: the first bytes decide the type, and the file must then parse
as that type (a PDF opens and is not encrypted; an image decodes; a ZIP is listed — never extracted — and its
entries are checked against bombs and path tricks). Files are stored under a random key; the original name
is kept apart in the database.
"""

import hashlib
import logging
import posixpath
import stat
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PDF, ZIP, JPEG, PNG = "pdf", "zip", "jpeg", "png"
CONTENT_TYPES = {PDF: "application/pdf", ZIP: "application/zip", JPEG: "image/jpeg", PNG: "image/png"}
LABELS = {PDF: "PDF", ZIP: "ZIP", JPEG: "JPG", PNG: "PNG"}
MAGIC = [(b"%PDF-", PDF), (b"PK\x03\x04", ZIP), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".jar")

ZIP_MAX_ENTRIES = 200
ZIP_MAX_ENTRY_BYTES = 20 * 1024 * 1024
ZIP_MAX_TOTAL_BYTES = 50 * 1024 * 1024
ZIP_MAX_RATIO = 100
PDF_MAX_PAGES = 2000


@dataclass
class CheckedFile:
    file_type: str
    sha256: str
    size: int

    @property
    def content_type(self):
        return CONTENT_TYPES[self.file_type]


def sniff(head):
    for magic, file_type in MAGIC:
        if head.startswith(magic):
            return file_type
    return None


def _hash(fileobj):
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(64 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def _check_pdf(fileobj):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(fileobj, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is password-protected: send it without a password."), code="encrypted"
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ValidationError(
            _("The PDF is damaged and cannot be opened: generate it again."), code="damaged"
        ) from exc
    if pages < 1 or pages > PDF_MAX_PAGES:
        raise ValidationError(_("The PDF has no readable pages."), code="damaged")


def _check_image(fileobj):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(fileobj) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The image is damaged and cannot be opened."), code="damaged") from exc


def _check_zip(fileobj):
    try:
        archive = zipfile.ZipFile(fileobj)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(_("The ZIP file is damaged and cannot be read."), code="damaged") from exc
    if not infos:
        raise ValidationError(_("The ZIP file is empty."), code="empty")
    if len(infos) > ZIP_MAX_ENTRIES:
        raise ValidationError(
            _("The ZIP file has more than %(max)d files."), code="entries", params={"max": ZIP_MAX_ENTRIES}
        )
    total = 0
    ranges = []
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise ValidationError(
                _("The ZIP file is password-protected: send it without a password."), code="encrypted"
            )
        normalized = posixpath.normpath(name.replace("\\", "/"))
        if (
            "\\" in name
            or name.startswith("/")
            or (len(name) > 1 and name[1] == ":")
            or normalized.startswith("..")
            or "/../" in f"/{name.replace(chr(92), '/')}/"
        ):
            raise ValidationError(
                _("The ZIP file has an unsafe path: %(name)s"), code="path", params={"name": name}
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ValidationError(
                _("The ZIP file contains a link (%(name)s): send the files themselves."),
                code="symlink",
                params={"name": name},
            )
        if name.lower().endswith(ARCHIVE_SUFFIXES):
            raise ValidationError(
                _("The ZIP file contains another archive (%(name)s): send the files directly."),
                code="nested",
                params={"name": name},
            )
        if info.file_size > ZIP_MAX_ENTRY_BYTES:
            raise ValidationError(
                _("A file in the ZIP is too large when unpacked: %(name)s"),
                code="entry_size",
                params={"name": name},
            )
        if info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO:
            raise ValidationError(
                _("The ZIP file is compressed beyond a safe ratio (possible zip bomb)."), code="ratio"
            )
        if info.compress_size == 0 and info.file_size > 0:
            raise ValidationError(
                _("The ZIP file is compressed beyond a safe ratio (possible zip bomb)."), code="ratio"
            )
        total += info.file_size
        # Python's zipfile does not notice entries that share bytes (overlapping zip bombs): check it here.
        start = info.header_offset
        end = start + 30 + len(info.orig_filename.encode()) + len(info.extra) + info.compress_size
        ranges.append((start, end))
    if total > ZIP_MAX_TOTAL_BYTES:
        raise ValidationError(_("The ZIP file is too large when unpacked."), code="total_size")
    ranges.sort()
    for (_s1, e1), (s2, _e2) in zip(ranges, ranges[1:], strict=False):
        if s2 < e1:
            raise ValidationError(
                _("The ZIP file has overlapping entries (possible zip bomb)."), code="overlap"
            )


def _scan_for_viruses(fileobj):
    """ClamAV hook: runs only where CLAMAV_SOCKET (or CLAMAV_HOST) is configured."""
    from gdportal import antivirus

    verdict = antivirus.scan(fileobj)
    if verdict:
        raise ValidationError(
            _("The file was refused by the antivirus (%(name)s)."), code="virus", params={"name": verdict}
        )


def check_upload(uploaded, *, allowed, max_bytes=None):
    """Validate an uploaded file by content; return its type, SHA-256 and size or raise ValidationError."""
    max_bytes = max_bytes or settings.GD_UPLOAD_MAX_BYTES
    if getattr(uploaded, "oversized", False) or uploaded.size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(max)s MB."), code="too_large", params={"max": _megabytes(max_bytes)}
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    fileobj = uploaded.file if hasattr(uploaded, "file") else uploaded
    fileobj.seek(0)
    file_type = sniff(fileobj.read(16))
    fileobj.seek(0)
    if file_type not in allowed:
        raise ValidationError(
            _("The file type is not accepted: send %(types)s (the content is checked, not the name)."),
            code="type",
            params={"types": ", ".join(LABELS[t] for t in allowed)},
        )
    checker = {PDF: _check_pdf, ZIP: _check_zip, JPEG: _check_image, PNG: _check_image}[file_type]
    checker(fileobj)
    fileobj.seek(0)
    _scan_for_viruses(fileobj)
    return CheckedFile(file_type=file_type, sha256=_hash(fileobj), size=uploaded.size)


def _megabytes(size):
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")


def storage_key(prefix, file_type):
    """A random key: the original name never reaches the storage, so it cannot collide or traverse."""
    ext = {PDF: "pdf", ZIP: "zip", JPEG: "jpg", PNG: "png"}[file_type]
    key = uuid.uuid4().hex
    return f"{prefix}/{key[:2]}/{key}.{ext}"


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stops buffering a file once it passes the limit: the rest of the stream is read and discarded.

    The file is then handed to the form as an empty placeholder flagged `oversized`, so the form can say which
    file was too large and keep everything else the user typed.
    """

    def __init__(self, request=None, max_bytes=None):
        super().__init__(request)
        self.max_bytes = max_bytes or settings.GD_UPLOAD_MAX_BYTES
        self.received = 0
        self.oversized = False

    def new_file(self, *args, **kwargs):
        self.received = 0
        self.oversized = False
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.oversized:
            return None
        if self.received > self.max_bytes:
            self.oversized = True
            self.file.truncate(0)
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(0 if self.oversized else file_size)
        if self.oversized:
            uploaded.oversized = True
            uploaded.size = self.received
        return uploaded


def install_upload_limit(request, max_bytes=None):
    """Call before anything reads request.POST/FILES (views using it are csrf_exempt + csrf_protect)."""
    request.upload_handlers = [LimitedUploadHandler(request, max_bytes)]
