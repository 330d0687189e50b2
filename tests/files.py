"""Real files for upload tests: a PDF that parses, an image that decodes, and the bad ones."""

import functools
import io
import os
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(pages=1):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("segredo")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 102, 47)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(**options):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 102, 47)).save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width, height):
    """A well-formed PNG that claims width × height pixels (its one IDAT row would not fill them)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


def pdf_document(objects, *, packed=None, trailer=b""):
    """A PDF written by hand, with a cross-reference stream so objects may sit inside an object stream.

    objects: {number: bytes}, written as they are. packed: (stream number, {number: bytes}) packed into one
    Flate-compressed object stream. trailer: more entries for the trailer dictionary (e.g. /Encrypt).
    Object 1 is the catalogue.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets, inside = {}, {}
    objects = dict(objects)
    if packed:
        stream_number, members = packed
        header, body = [], bytearray()
        for index, (number, data) in enumerate(members.items()):
            header.append(b"%d %d" % (number, len(body)))
            body += data + b"\n"
            inside[number] = (stream_number, index)
        head = b" ".join(header) + b"\n"
        squeezed = zlib.compress(head + bytes(body), 9)
        objects[stream_number] = (
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(members), len(head), len(squeezed))
            + squeezed
            + b"\nendstream"
        )
    for number, data in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + data + b"\nendobj\n"
    xref = max([*objects, *inside]) + 1
    offsets[xref] = len(out)
    rows = bytearray()
    for number in range(xref + 1):
        if number in offsets:
            rows += struct.pack(">BIH", 1, offsets[number], 0)
        elif number in inside:
            rows += struct.pack(">BIH", 2, *inside[number])
        else:
            rows += struct.pack(">BIH", 0, 0, 65535)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R %s /Length %d >>\nstream\n"
        % (xref, xref + 1, trailer, len(rows))
        + rows
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref]
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


@functools.cache
def pdf_bomb(inflated=60_000_000):
    """The outside test's bomb: ~60 KB on disk; its page tree node sits in an object stream and holds
    `inflated` bytes of blanks, which pypdf inflates into memory and then reads one byte at a time (seconds
    of CPU). At 100 MB it passes pypdf's own 75 MB decompression limit instead."""
    pages = b"<< /Type /Pages " + b" " * inflated + b"/Kids [3 0 R] /Count 1 >>"
    return pdf_document({1: CATALOG, 3: PAGE}, packed=(4, {2: pages}))


def pdf_with_text(text):
    content = b"BT /F1 14 Tf 72 760 Td (%s) Tj ET" % text.encode("latin-1")
    return pdf_document(
        {
            1: CATALOG,
            2: PAGES,
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        }
    )


def aes256_pdf_bytes():
    """An AES-256 (PDF 2.0, /V 5 /R 6) encrypted PDF, written by hand: pypdf's writer needs the `cryptography`
    package for AES, which the portal does not install (and reading one without it raised DependencyError)."""

    def hexstring(size):
        return b"<" + os.urandom(size).hex().encode() + b">"

    encrypt = (
        b"/Encrypt << /Filter /Standard /V 5 /R 6 /Length 256 /P -1028"
        b" /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF"
        b" /O %s /U %s /OE %s /UE %s /Perms %s >> /ID [<%s> <%s>]"
        % (hexstring(48), hexstring(48), hexstring(32), hexstring(32), hexstring(16), b"ab" * 16, b"ab" * 16)
    )
    return pdf_document({1: CATALOG, 2: PAGES, 3: PAGE}, trailer=encrypt)


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name="documento.pdf", content=None, content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type=content_type)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def text_pdf(*lines, pagesize=None, pages=1):
    """A PDF with a text layer, as a program writes it (reportlab): `lines` on each of `pages` pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=pagesize or A4)
    for _ in range(pages):
        y = sheet._pagesize[1] - 72
        for line in lines:
            sheet.drawString(72, y, line)
            y -= 16
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def scanned_pdf(pagesize=None, pages=1):
    """An image-only PDF, as a scanner writes it: a picture of a page of text, no text layer."""
    from PIL import ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    width, height = pagesize or A4
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=(width, height))
    for _ in range(pages):
        picture = Image.new("L", (int(width), int(height)), 255)
        ImageDraw.Draw(picture).text((72, 72), "ART MG2026001 Paulo Andrade 8,5 kW", fill=0)
        image = io.BytesIO()
        picture.save(image, format="PNG")
        image.seek(0)
        sheet.drawImage(ImageReader(image), 0, 0, width=width, height=height)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


@functools.cache
def content_bomb_pdf(inflated=60_000_000):
    """A PDF that opens at once (one page, sane page tree: the upload check passes it) whose page content is
    ~60 KB on disk and `inflated` bytes of text operators once inflated: reading its text is what takes the
    CPU and the memory."""
    operators = b"BT /F1 1 Tf " + b"(x) Tj\n" * (inflated // 7) + b"ET"
    squeezed = zlib.compress(operators, 9)
    return pdf_document(
        {
            1: CATALOG,
            2: PAGES,
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            4: b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(squeezed) + squeezed + b"\nendstream",
            5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        }
    )


def pdf_with_a_broken_page():
    """Two pages: the first reads "Pagina boa", the second's content uses a filter nobody has (/Foo), so its
    text cannot be read; the file itself opens and counts its pages."""
    good = b"BT /F1 14 Tf 72 760 Td (Pagina boa, com texto suficiente) Tj ET"
    bad = b"\x00not a stream\xff" * 8

    def page(contents):
        return (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>" % contents
        )

    return pdf_document(
        {
            1: CATALOG,
            2: b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
            3: page(4),
            4: b"<< /Length %d >>\nstream\n" % len(good) + good + b"\nendstream",
            5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            6: page(7),
            7: b"<< /Filter /Foo /Length %d >>\nstream\n" % len(bad) + bad + b"\nendstream",
        }
    )
