"""The production servers behind ``vendorrisk serve``.

One worker: Waitress, one process with a pool of threads (any platform). Several workers
(``--workers N``, Linux/macOS): gunicorn with N processes of ``--threads`` threads each, so that
CPU-bound work (rendering, the API's JSON) runs on as many cores as there are workers. The
app is built once in the master and forked (``preload_app``): each worker drops the database
connections it inherited and opens its own. The scheduler stays a separate process
(``vendorrisk scheduler``): no worker ever runs a background job.
"""
import gc

from flask import Flask
from sqlalchemy.orm import configure_mappers

from vendorrisk.core.db import engine_of

IDENT = "vendorrisk"


def settle() -> None:
    """Finish the start-up before serving, then move everything it built (modules, models,
    routes, catalogues: some 160,000 objects) out of the garbage collector's sight: the
    collections that requests and exports trigger then scan only what they allocated (a write
    to a widely shared vendor costs about 40 % less CPU), and forked workers keep sharing
    those pages.

    The ORM's mappers are configured here, once, rather than by the first query of each
    process: under gunicorn every worker's first request paid it (~25 ms of CPU, more on a
    busy machine), and the objects it builds are frozen with the rest."""
    configure_mappers()
    gc.freeze()  # (no collection first: start-up leaves little garbage, a full pass costs ~0.1 s)


def stoppable_by_interrupt() -> None:
    """Let Ctrl+C (SIGINT) stop this process even when it was started from a background job:
    a shell without job control starts those with SIGINT ignored, and Python then leaves it
    ignored, so the server or scheduler could only be killed."""
    import signal
    signal.signal(signal.SIGINT, signal.default_int_handler)


def serve_waitress(app: Flask, host: str, port: int, threads: int) -> None:
    """One process, ``threads`` threads."""
    from waitress import serve

    settle()
    serve(app, host=host, port=port, threads=threads, ident=IDENT)


def serve_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    """``workers`` processes of ``threads`` threads each (gunicorn's gthread workers)."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.http import wsgi

    wsgi.SERVER = IDENT  # the Server header names the app, not the server

    def post_fork(_server, _worker):
        # Connections opened in the master must not be shared by forked processes.
        engine_of(app).dispose(close=False)

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "preload_app": True, "post_fork": post_fork,
                               "accesslog": None, "timeout": 120, "graceful_timeout": 20,
                               "keepalive": 5, "proc_name": IDENT}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    settle()
    Server().run()


def start_scheduler():
    """The scheduler as a child process of ``serve --with-scheduler``: its own process, as the
    scheduler must be (never inside the web workers), stopped when the server stops."""
    import os
    import signal
    import subprocess
    import sys
    child = subprocess.Popen([sys.executable, "-m", "vendorrisk", "scheduler"], env=os.environ.copy())

    def stop_server(signum, _frame):
        raise KeyboardInterrupt  # SIGTERM stops the server the way Ctrl+C does, scheduler included
    signal.signal(signal.SIGTERM, stop_server)
    return child


def stop_scheduler(child) -> None:
    """Stop the scheduler child (it records that no sweep is planned) and wait for it."""
    import signal
    import subprocess
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)  # time to finish a running job and record the stop
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
