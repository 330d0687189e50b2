"""Benchmark: the document checks of one upload (SPEC §14: "answered in under a second") on the two 3 MB
PDFs that cost the most — a text PDF of ~1,350 dense pages and a scan of 6 image-only pages.

    python bench/checks.py --repeat 10

For each file, on an APR order's case (PostgreSQL database `gdportal_bench_checks`, files in a temporary
folder), times separately: the upload check (`check_upload`: the sandbox opens the PDF and counts its pages;
in the request), the checks' sandbox read (`findings.read_pdf`: page sizes and the text of the first
TEXT_PAGES pages) and the whole `findings.version_check` (the read, every registered check of the kind, the
findings written): wall time (median and range of `--repeat` runs after a warm-up) and CPU time (this
process and the sandbox child); and the sandbox child's peak RSS.
"""

import argparse
import io
import os
import random
import resource
import statistics
import tempfile
import time

from _setup import configure, machine

TARGET = 3 * 1024 * 1024 - 64 * 1024  # just under GD_UPLOAD_MAX_BYTES (3 MiB), as a real upload can be
WORDS = ["potencia", "instalada", "inversor", "modulo", "kWp", "ART", "memorial", "cabo", "tensao", "string"]


def text_pages(pages, seed=1):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        for y in range(800, 40, -12):  # ~64 lines of ~100 characters: a dense page
            sheet.drawString(40, y, " ".join(rng.choice(WORDS) for _ in range(12)) + f" {rng.random():.6f}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def scan_pages(pages, seed=1):
    """Pages of text as a 150 dpi grayscale scanner sees them (with its noise), JPEG in an image-only PDF."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        picture = Image.frombytes("L", (1240, 1754), rng.randbytes(1240 * 1754)).point(lambda v: 235 + v % 20)
        draw = ImageDraw.Draw(picture)
        for y in range(100, 1650, 22):
            draw.text((90, y), " ".join(rng.choice(WORDS) for _ in range(14)), fill=20)
        image = io.BytesIO()
        picture.save(image, format="JPEG", quality=70)
        image.seek(0)
        sheet.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def fill(build, per_page_sample):
    """The most pages of `build` that stay under TARGET."""
    per_page = len(build(per_page_sample)) / per_page_sample
    pages = int(TARGET / per_page)
    data = build(pages)
    while len(data) > TARGET:
        pages -= max(1, pages // 50)
        data = build(pages)
    return data, pages


DATABASE = "gdportal_bench_checks"


def fresh_database(name):
    """Dropped and made again by configure(): the test factories number their rows from 1 in each run."""
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")
    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{base.rsplit("/", 1)[1]}"')


def order_case():
    from aprweb.models import AprOrder
    from aprweb.services_orders import order_register
    from gdportal.cases.choices import CaseState
    from gdportal.cases.models import Case
    from tests import factories
    from tests.atende.conftest import make_case

    customer = factories.UserFactory(customer=factories.CustomerFactory())
    installation = factories.InstallationFactory(customer=customer.customer)
    rt = factories.RTFactory(first_name="Paulo", last_name="Andrade")
    case = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL, claim_code="")
    order = AprOrder(
        request_type="analyze_gd",
        phone="31988887777",
        project_type="BT",
        art_number="MG2026001",
        demand_kva="8.5",
        activity_type="residential",
        expected_connection="2027-03-01",
        plant_format="A3",
        street="Rua da Bahia",
        street_number="1000",
        district="Centro",
        cep="30160011",
        municipality="Belo Horizonte",
        has_power_converters=True,
    )
    Case.objects.filter(pk=case.pk).update(rt=rt)
    case.refresh_from_db()
    return order_register(case=case, rt=rt, order=order).case, rt


def worker_peak_rss(data):
    """The checks' sandbox child's peak RSS in MiB. Started from a small Python rather than from here: a
    child's peak counts what it shared with the parent it was forked from, before its exec (this process
    has Django loaded)."""
    import json
    import subprocess
    import sys

    from django.conf import settings

    from gdportal import pdfsandbox
    from gdportal.cases import findings

    options = {
        "cpu_seconds": settings.GD_PDF_CPU_SECONDS,
        "memory_mb": settings.GD_PDF_MEMORY_MB,
        "text": False,
        "max_text_chars": 0,
        "content": {
            "text_pages": findings.TEXT_PAGES,
            "page_chars": findings.PAGE_CHARS,
            "text_cpu_seconds": settings.GD_PDF_CPU_SECONDS / 2,
        },
    }
    parent = (
        "import resource, subprocess, sys\n"
        "subprocess.run([sys.executable, '-I', '-B', sys.argv[1], sys.argv[2]], input=sys.stdin.buffer.read(),"
        " capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-I", "-c", parent, str(pdfsandbox.WORKER), json.dumps(options)]
    done = subprocess.run(command, input=data, capture_output=True, check=True)  # noqa: S603 — our own worker
    return int(done.stdout) / 1024


def cpu_seconds():
    """CPU used so far by this process and by its finished children (the sandbox), user + system."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(function, repeat):
    """(median, fastest, slowest) wall time and the median CPU time of `repeat` runs after a warm-up. The
    CPU time hardly moves with the machine's load; the wall time does (two cores shared with other work)."""
    function()  # warm-up: imports, the storage folder, the page cache
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), cpu_seconds()
        function()
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), min(walls), max(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    fresh_database(DATABASE)
    configure(DATABASE)
    from django.conf import settings
    from django.core.files.base import ContentFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tempfile.mkdtemp(prefix="bench-checks-"), "base_url": None},
        },
    }
    from gdportal.cases import findings
    from gdportal.cases.documents import document_store
    from gdportal.cases.findings import DocumentFinding
    from gdportal.uploads import check_upload

    case, rt = order_case()
    files = {"text PDF": fill(text_pages, 40), "image-only PDF": fill(scan_pages, 2)}
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    limit = settings.GD_PDF_CPU_SECONDS
    print(f"{machine()}, load {load}; TEXT_PAGES={findings.TEXT_PAGES}, sandbox CPU limit {limit} s")
    print("| file | step | wall, median | wall, range | CPU, median |")
    print("|---|---|---:|---:|---:|")
    notes = []
    for label, (data, pages) in files.items():

        def upload_check(data=data):
            check_upload(ContentFile(data, name="f.pdf"), allowed=["pdf"])

        # Stored outside a transaction: its checks run at once (tasks are eager here); `check` runs them again.
        version = document_store(
            case=case, kind="generation_memorial", uploaded=ContentFile(data, name="f.pdf"), by=rt
        )
        version.refresh_from_db()

        def read(version=version):
            findings.read_pdf(version)

        def check(version=version):
            DocumentFinding.objects.filter(version=version).delete()
            type(version).objects.filter(pk=version.pk).update(checked_at=None)
            version.checked_at = None
            findings.version_check(version=version)

        steps = {
            "upload check (in the request)": upload_check,
            "checks' sandbox read": read,
            "version_check (read, checks, findings written)": check,
        }
        for step, function in steps.items():
            median, fastest, slowest, cpu = timed(function, args.repeat)
            print(f"| {label} | {step} | {median:.2f} s | {fastest:.2f}–{slowest:.2f} s | {cpu:.2f} s |")
        found = ", ".join(DocumentFinding.objects.filter(version=version).values_list("code", flat=True))
        notes.append(
            f"{label}: {len(data) / 1024 / 1024:.2f} MiB, {pages} pages; findings: {found or '—'}; "
            f"the checks' sandbox child peaks at {worker_peak_rss(data):.0f} MiB RSS"
        )
    print("\n".join(notes))


if __name__ == "__main__":
    main()
