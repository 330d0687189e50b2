"""Uploaded files (SPEC §10): size cut off while streaming, type by content, structure checked.

A name or a Content-Type header proves nothing: the first bytes decide the type, and the file must then parse
as that type (a PDF opens, within CPU, memory and time limits, and is not encrypted; an image has a sane size
and decodes; a ZIP is listed — never extracted — and its entries are checked against bombs, path tricks and
archives inside, by their first bytes). Nothing may follow the format's end marker: a PDF with a ZIP glued
on, or a JPEG with a script after it, is two files in one (a polyglot) and is refused. Files are stored under
a random key; the original name is kept apart in the database.
"""

import hashlib
import io
import logging
import posixpath
import stat
import struct
import uuid
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext_lazy as _

from gdportal.metrics import upload_refused

logger = logging.getLogger(__name__)

PDF, ZIP, JPEG, PNG = "pdf", "zip", "jpeg", "png"
CONTENT_TYPES = {PDF: "application/pdf", ZIP: "application/zip", JPEG: "image/jpeg", PNG: "image/png"}
LABELS = {PDF: "PDF", ZIP: "ZIP", JPEG: "JPG", PNG: "PNG"}
MAGIC = [(b"%PDF-", PDF), (b"PK\x03\x04", ZIP), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".jar")
# The first bytes of archive and compressed formats: ZIP (and JAR, DOCX...), RAR, 7z, gzip, xz, zstd, lzip,
# CAB, ar (.deb), compress (.Z), lz4. bzip2 ("BZh" + level) and tar ("ustar" at 257) are checked apart.
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",
    b"LZIP",
    b"MSCF",
    b"!<arch>\n",
    b"\x1f\x9d",
    b"\x04\x22\x4d\x18",
)
ZIP_SNIFF_BYTES = 512
# After a format's end marker only padding is tolerated (some scanners and cameras pad their files).
PADDING = b" \t\r\n\f\x00\xff"

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


def _read_all(fileobj):
    # The size was checked before (GD_UPLOAD_MAX_BYTES, 3 MB by default): reading it whole is bounded.
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    return data


def _trailing_data():
    return ValidationError(
        _("The file has extra data after its end (two files in one): save or generate it again and send it."),
        code="trailing",
    )


def _opens_as_zip(data):
    # A ZIP is read from its end, and its directory may sit in the last 64 KB with a comment that ends in
    # "%%EOF": if zipfile can list it, so can every unzip tool.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        return False


def _check_pdf(fileobj):
    from gdportal import pdfsandbox

    data = _read_all(fileobj)
    eof = data.rfind(b"%%EOF")
    if eof < 0:
        raise ValidationError(
            _("The PDF is damaged and cannot be opened: generate it again."), code="damaged"
        )
    if data[eof + 5 :].strip(PADDING) or _opens_as_zip(data):
        raise _trailing_data()
    try:
        info = pdfsandbox.inspect_pdf(data)
    except pdfsandbox.PdfRefused as exc:
        logger.info("PDF refused by the sandbox: %s", exc)
        if exc.code == "limit":
            raise ValidationError(
                _("The PDF is too complex to be checked safely: generate it again (e.g. “Print to PDF”)."),
                code="pdf_limit",
            ) from exc
        if exc.code == "unavailable":
            raise ValidationError(
                _("The file could not be checked: try again in a few minutes or send another file."),
                code="unavailable",
            ) from exc
        raise ValidationError(
            _("The PDF is damaged and cannot be opened: generate it again."), code="damaged"
        ) from exc
    if info["encrypted"]:
        raise ValidationError(
            _("The PDF is password-protected: send it without a password."), code="encrypted"
        )
    if not info["pages"] or info["pages"] > PDF_MAX_PAGES:
        raise ValidationError(_("The PDF has no readable pages."), code="damaged")


def _png_layout(data):
    """(end of IEND, width, height) following the chunks, or None if they do not reach IEND."""
    pos, size = 8, None
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IHDR" and size is None and length >= 8 and pos + 16 <= len(data):
            size = struct.unpack(">II", data[pos + 8 : pos + 16])
        pos += 12 + length
        if kind == b"IEND":
            return (pos, *size) if size and pos <= len(data) else None
    return None


def _jpeg_layout(data, start=0):
    """(end of EOI, width, height) following the segments, or None if the structure is broken.

    A camera's thumbnail (with its own EOI) sits inside an APP1 segment and is skipped by its length; after a
    scan (SOS) the entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
    """
    pos, size, end = start + 2, None, len(data)
    while pos < end:
        if data[pos] != 0xFF:
            return None
        while pos < end and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= end:
            return None
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return (pos, *size) if size else None
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if pos + 2 > end:
            return None
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            return None
        is_frame = 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)  # SOFn, not DHT/JPG/DAC
        if is_frame and size is None and length >= 7 and pos + 7 <= end:
            height, width = struct.unpack(">HH", data[pos + 3 : pos + 7])
            size = (width, height)
        pos += length
        if marker == 0xDA:
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= end:
                    return None
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                elif following == 0xFF:
                    pos += 1
                else:
                    break
    return None


def _image_too_large(width, height):
    return ValidationError(
        _("The image is too large (%(width)s × %(height)s pixels): send it with at most %(max)s megapixels."),
        code="image_too_large",
        params={"width": width, "height": height, "max": settings.GD_IMAGE_MAX_PIXELS // 1_000_000},
    )


def _check_image(fileobj, file_type):
    from PIL import Image, UnidentifiedImageError

    data = _read_all(fileobj)
    layout = _png_layout(data) if file_type == PNG else _jpeg_layout(data)
    damaged = ValidationError(_("The image is damaged and cannot be opened."), code="damaged")
    if layout is None or not layout[1] or not layout[2]:
        raise damaged
    end, width, height = layout
    # Checked from the header before Pillow sees the file: Pillow warns from ~89 megapixels and refuses only
    # from ~179 (as a "damaged" file), and a 40-megapixel RGB image already takes 120 MB to decode.
    if width * height > settings.GD_IMAGE_MAX_PIXELS:
        raise _image_too_large(width, height)
    while file_type == JPEG and data.startswith(b"\xff\xd8\xff", end):
        # Phones append whole JPEGs after the first one (MPF depth maps, Ultra HDR gain maps): step over each.
        more = _jpeg_layout(data, end)
        if more is None or not more[1] or not more[2]:
            raise damaged
        if more[1] * more[2] > settings.GD_IMAGE_MAX_PIXELS:
            raise _image_too_large(more[1], more[2])
        end = more[0]
    if data[end:].strip(PADDING):
        raise _trailing_data()
    try:
        with Image.open(fileobj) as image:
            image.verify()
    except Image.DecompressionBombError as exc:
        raise _image_too_large(width, height) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise damaged from exc


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
    # Only now, with every entry's sizes known to be sane, are the first bytes of each one unpacked.
    for info in infos:
        if not info.is_dir() and _is_archive(_entry_head(archive, info)):
            raise ValidationError(
                _("The ZIP file contains another archive (%(name)s): send the files directly."),
                code="nested",
                params={"name": info.filename},
            )


def _entry_head(archive, info):
    # zipfile bounds what one read of a deflated entry unpacks; bzip2 and LZMA entries it unpacks a whole
    # chunk at once (unbounded), and ordinary ZIP tools write neither: they are refused.
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValidationError(
            _("The ZIP file uses an unusual compression method: save it again as a standard ZIP."),
            code="method",
        )
    try:
        with archive.open(info) as entry:
            return entry.read(ZIP_SNIFF_BYTES)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ) as exc:
        raise ValidationError(_("The ZIP file is damaged and cannot be read."), code="damaged") from exc


def _is_archive(head):
    return (
        head.startswith(ARCHIVE_MAGIC)
        or (head.startswith(b"BZh") and head[3:4].isdigit())
        or head[257:262] == b"ustar"
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
    """Validate an uploaded file by content; return its type, SHA-256 and size or raise ValidationError.

    Both the form (for the message at the field) and the storing service (which never takes a caller's word
    that a file was checked) call this; the verdict is remembered on the file object itself, by this function
    only, so the same bytes are not parsed twice in one request.
    """
    max_bytes = max_bytes or settings.GD_UPLOAD_MAX_BYTES
    memo_key = (tuple(allowed), max_bytes, uploaded.size)
    memo = getattr(uploaded, "_gd_upload_check", None)
    if memo is not None and memo[0] == memo_key:
        return memo[1]
    try:
        checked = _check_upload(uploaded, allowed=allowed, max_bytes=max_bytes)
    except ValidationError as exc:
        upload_refused(exc.code)  # Prometheus (gdportal/metrics.py): a surge of refusals is worth a look
        raise
    uploaded._gd_upload_check = (memo_key, checked)
    return checked


def _check_upload(uploaded, *, allowed, max_bytes):
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
    try:
        if file_type == PDF:
            _check_pdf(fileobj)
        elif file_type == ZIP:
            _check_zip(fileobj)
        else:
            _check_image(fileobj, file_type)
        fileobj.seek(0)
        _scan_for_viruses(fileobj)
        return CheckedFile(file_type=file_type, sha256=_hash(fileobj), size=uploaded.size)
    except ValidationError:
        raise
    except Exception as exc:
        # Parsers fed hostile bytes can raise anything; a form only knows ValidationError, and anything else
        # would be a 500 for the user. Refuse, and keep the trace for us.
        logger.exception("Upload check failed unexpectedly on a %s file", file_type)
        raise ValidationError(
            _("The file could not be checked: try again in a few minutes or send another file."),
            code="unavailable",
        ) from exc


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
