"""gunicorn settings for `make run`: two workers, no preload (torch must load after the fork)."""

workers = 2
timeout = 120
preload_app = False
accesslog = "-"


def post_worker_init(worker):
    """Build the posting index in the background so the first visitor does not wait for it."""
    from app.services import matching

    matching.warm_up_in_background(worker.wsgi)
