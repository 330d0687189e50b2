"""gunicorn's server hooks for the portal's web nodes (`make serve`: deploy/serve.py; compose's `web`).

Settings stay on the command line where they are read; only what gunicorn offers no flag for is here.
"""

import os


def child_exit(server, worker):
    """A worker that ended (max-requests, a timeout, a crash) leaves its metric files in
    PROMETHEUS_MULTIPROC_DIR: its counters and histograms must stay (the node's totals never go backwards),
    but its live gauges must not be summed any more. prometheus_client's multiprocess mode asks for exactly
    this call from the master (gdportal/metrics.py)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
