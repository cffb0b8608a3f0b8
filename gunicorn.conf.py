"""gunicorn settings for `make run`: two workers, no preload (torch must load after the fork)."""

import os

# One BLAS thread per worker: two workers on two cores; more threads only add tail latency.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

workers = 2
worker_class = "gthread"  # htmx polling and slow clients must not block a worker
threads = 4
timeout = 120
preload_app = False
accesslog = "-"


def post_worker_init(worker):
    """Build the posting index in the background so the first visitor does not wait for it."""
    from app.services import matching

    matching.warm_up_in_background(worker.wsgi)
