"""The child side of gdportal/pdfsandbox.py: parses one untrusted PDF under hard limits, answers in JSON.

Run as `python -I -B gdportal/pdfworker.py '<options as JSON>' < file.pdf`. It imports only the standard
library and pypdf (never Django: no settings, no secrets, no database connection in the process that reads
hostile input), and it sets its own limits before reading a byte of the input — doing that here instead of in
a `preexec_fn` keeps the parent safe in threaded web workers.
"""

import io
import json
import logging
import os
import resource
import sys
import time
import warnings


def limit_resources(cpu_seconds, memory_mb):
    # Past the soft CPU limit the kernel sends SIGXCPU, past the hard one SIGKILL: the process dies.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # It writes nothing but its answer on stdout: no files, no core dump (SIGXCPU dumps core by default).
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    # A little below the web workers, so a PDF being checked never slows the pages other people are loading.
    os.nice(5)


def inspect(data, *, text, max_text_chars, content=None):
    from pypdf import PdfReader, overwrite_configuration
    from pypdf.errors import DependencyError

    # pypdf may call the jbig2dec binary for JBIG2 images: nothing here may start another program.
    overwrite_configuration(jbig2dec_binary=None)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except DependencyError:
        # Only the decryption of AES documents needs the `cryptography` package while opening a file; every
        # encrypted PDF is refused anyway, so it is reported as encrypted rather than as a failure.
        if b"/Encrypt" in data:
            return {"ok": True, "encrypted": True, "pages": None}
        raise
    if reader.is_encrypted:
        return {"ok": True, "encrypted": True, "pages": None}
    result = {"ok": True, "encrypted": False, "pages": len(reader.pages)}
    if text:
        parts, size = [], 0
        for page in reader.pages:
            part = page.extract_text() or ""
            parts.append(part[: max_text_chars - size])
            size += len(parts[-1])
            if size >= max_text_chars:
                break
        result["text"] = "\n".join(parts)
    if content:
        result.update(read_content(reader, **content))
    return result


def read_content(reader, *, text_pages, page_chars, text_cpu_seconds, max_sizes=2000):
    """What the document checks read: every page's size (mediabox, in points) and the text of the first
    `text_pages` pages, each cut at `page_chars` characters.

    Text extraction is pure Python and costs ~10 ms for a dense page: after `text_cpu_seconds` of CPU it stops
    at a page boundary ("truncated") instead of running into the hard limit, so a long document still gets
    its sizes and first pages back. A page whose text cannot be read is listed in "unreadable"; the others go
    on.
    """
    sizes = []
    for page in reader.pages[:max_sizes]:
        box = page.mediabox
        sizes.append([round(float(box.width), 2), round(float(box.height), 2)])
    texts, unreadable, truncated = [], [], False
    for number, page in enumerate(reader.pages[:text_pages], start=1):
        if time.process_time() > text_cpu_seconds:
            truncated = True
            break
        try:
            texts.append((page.extract_text() or "")[:page_chars])
        except MemoryError:
            raise
        except Exception:  # a page a hostile or broken file makes unreadable: say which, read the next
            texts.append("")
            unreadable.append(number)
    return {"sizes": sizes, "page_texts": texts, "unreadable": unreadable, "truncated": truncated}


def main():
    options = json.loads(sys.argv[1])
    limit_resources(options["cpu_seconds"], options["memory_mb"])
    # pypdf reports oddities through logging and warnings: nobody reads them here, and a hostile file could
    # make thousands of them.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    # Images are never decoded here: keep Pillow (and its codecs) out of the process.
    sys.modules["PIL"] = None
    from pypdf.errors import LimitReachedError

    data = sys.stdin.buffer.read()
    try:
        result = inspect(
            data,
            text=options.get("text", False),
            max_text_chars=options.get("max_text_chars", 0),
            content=options.get("content"),
        )
    except (MemoryError, LimitReachedError, RecursionError) as exc:
        result = {"ok": False, "code": "limit", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    except Exception as exc:  # a hostile file can make a parser raise anything: all of it means "damaged"
        result = {"ok": False, "code": "damaged", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
