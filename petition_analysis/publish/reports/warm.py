"""A warm kernel: one Jupyter kernel that runs several report notebooks one after another.

A batch worker starts a kernel, a report's imports (pandas, the package, matplotlib,
seaborn, statsmodels) and its data load once, and runs each of its reports in that kernel
(papermill with an engine that hands nbclient the running kernel and its client). Before
each report after the first, the kernel is put back into the state a fresh kernel is in
(:func:`reset`): a new IPython namespace and history (execution count 1), the warning
filters and "shown once" registries, pandas' options, matplotlib's settings and open
figures, the package's module state (the office in force, the no-CJK-font warning) and the
working folder, all as they were before the first report ran. Module caches that only
remember results of their inputs (the loaded register, keyed by each file's size and time)
are kept: they are the point.

A report that fails, times out or leaves the kernel dead shuts the kernel down; the next
report starts a fresh one. The same report gives the same JSON and HTML run alone or after
others in a warm kernel (``tests/reports/test_warm_kernel.py``).
"""

from __future__ import annotations

import os
import tempfile

__all__ = ["WarmKernel", "reset", "snapshot"]

_ENGINE = "petition-warm"
#: Seconds between saves of the executed notebook while its cells run. papermill saves the
#: whole notebook when each cell starts and ends (twice per cell, about 5-10 ms each for a
#: report, inside the cells' timed durations); the partial notebook a long run leaves is
#: still at most this old, and the finished or failed notebook is always saved whole.
SAVE_EVERY_S = 10.0
#: The state :func:`reset` restores, taken by :func:`snapshot` before the first report.
_SNAPSHOT: dict = {}


# --- what runs inside the kernel ---------------------------------------------------------

def snapshot() -> None:
    """Record the fresh kernel's state (run in the kernel before its first report). pyplot
    is imported here so that matplotlib's settings are recorded as a report first sees them
    (with the kernel's inline backend set up)."""
    import copy
    import warnings

    import matplotlib as mpl
    import matplotlib.pyplot  # noqa: F401 - sets up the inline backend, as a report's first plot does
    import pandas as pd
    from pandas._config import config as pd_config

    # a report's own modules (the registry, scipy.stats), imported while the parent checks the
    # parameters: the package's import no longer does it (lazy)
    from . import sections, summary  # noqa: F401

    # What the first figure and the registry's dispersion models import (0.2-0.3 s each):
    # here, every report of a warm kernel finds them loaded, and any warnings filter
    # statsmodels sets on import is part of the recorded state, not of one report's.
    import seaborn  # noqa: F401
    from statsmodels.genmod import generalized_linear_model  # noqa: F401

    _SNAPSHOT.clear()
    _SNAPSHOT["filters"] = list(warnings.filters)
    _SNAPSHOT["rc"] = copy.deepcopy(dict(mpl.rcParams))
    _SNAPSHOT["pandas"] = {key: pd.get_option(key) for key in pd_config._registered_options
                           if key not in pd_config._deprecated_options}
    _SNAPSHOT["cwd"] = os.getcwd()


def reset(cwd: str | None = None) -> None:
    """Put the kernel back into the state :func:`snapshot` recorded (run in the kernel
    between two reports). Raises when there is no snapshot: the caller then starts a
    fresh kernel."""
    import sys
    import warnings

    if not _SNAPSHOT:
        raise RuntimeError("no snapshot of the fresh kernel to reset to")
    from IPython import get_ipython

    ip = get_ipython()
    ip.reset(new_session=True)  # namespace, output cache, history; execution count back to 1
    warnings.resetwarnings()  # a new filters version: every module's "shown once" registry starts again
    warnings.filters[:] = _SNAPSHOT["filters"]
    warnings.onceregistry.clear()
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        plt.close("all")
        with warnings.catch_warnings():  # restoring a deprecated setting warns
            warnings.simplefilter("ignore")
            mpl.rcParams.clear()
            mpl.rcParams.update(_SNAPSHOT["rc"])
    import pandas as pd

    for key, value in _SNAPSHOT["pandas"].items():
        if pd.get_option(key) != value:
            pd.set_option(key, value)
    from ... import office
    from .. import plots

    office.use(None)
    plots._warned = False
    os.chdir(cwd or _SNAPSHOT["cwd"])


# --- the parent's side -------------------------------------------------------------------

def _register_engine() -> None:
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return

    class WarmEngine(NBClientEngine):
        """papermill's nbclient engine, given a running kernel's manager and client."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, warm=None, on_cell_complete=None,
                                     **kwargs):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.log import logger
            from papermill.utils import merge_kwargs, remove_args

            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=warm.km, **final_kwargs)
            client.kc = warm.kc
            save = nb_man.save

            def save_now_and_then(**kw):
                if (nb_man.now() - nb_man.last_save_time).total_seconds() >= SAVE_EVERY_S:
                    save(**kw)

            nb_man.save = save_now_and_then  # per cell; papermill's final save (below) is whole
            if on_cell_complete is not None:
                complete = nb_man.cell_complete

                def cell_complete(cell, *args, **kw):
                    complete(cell, *args, **kw)
                    on_cell_complete(cell)

                nb_man.cell_complete = cell_complete
            try:
                return client.execute()
            finally:
                # the class's save and cell_complete again, for notebook_complete() after this
                nb_man.__dict__.pop("save", None)
                nb_man.__dict__.pop("cell_complete", None)
                warm.kc = client.kc  # kept for the next report (None if nbclient cleaned it up)

    papermill_engines.register(_ENGINE, WarmEngine)


class _KernelDied(Exception):
    """The kernel process ended before it answered its first request."""


class WarmKernel:
    """A kernel kept alive across reports (see the module docstring). Use it as a context
    manager, or call :meth:`shutdown`. Not thread-safe: one per process (or thread).

    ``runner.run(..., kernel=warm)`` runs a report in it."""

    #: how many times a kernel that dies while starting is launched, in all
    launch_attempts = 3

    def __init__(self):
        self._launch_args = None
        self._stderr = None
        self.km = None
        self.kc = None
        self.kernel_name: str | None = None
        self.reports = 0  # reports run in the current kernel
        self._pending = None  # the id of the snapshot request launch() sent, until answered
        self.last_wait = 0.0  # seconds the last execute() waited for a launched kernel
        self.last_words = ""  # the last line a kernel that failed a report wrote to stderr

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()

    @property
    def alive(self) -> bool:
        return self.km is not None and self.kc is not None

    def execute(self, input_path: str, output_path: str, *, parameters: dict, kernel_name: str, timeout,
                progress: bool, cwd: str, manager_class, on_cell_complete=None) -> None:
        """papermill's ``execute_notebook`` in this kernel: a fresh one for the first report
        (or after a failure), else the running one reset to its fresh state. Raises what
        papermill raises; after any exception the kernel is shut down. ``on_cell_complete``:
        called with each executed cell (its outputs recorded) while the next one runs."""
        import papermill as pm

        _register_engine()
        if self.alive and kernel_name != self.kernel_name:
            self.shutdown()
        ok = False
        self.last_wait = 0.0
        self.last_words = ""
        try:
            if self.alive and self._pending is not None:
                self._ready()  # launched, not yet waited for
            elif self.alive:
                self._run_in_kernel(f"__import__('{__name__}', fromlist=['reset']).reset({cwd!r})")
            else:
                self._start(kernel_name, cwd, manager_class)
            pm.execute_notebook(input_path, output_path, parameters=parameters, kernel_name=kernel_name,
                                execution_timeout=timeout, progress_bar=progress, cwd=cwd, engine_name=_ENGINE,
                                warm=self, on_cell_complete=on_cell_complete)
            ok = self.alive
        finally:
            if not ok:
                # a kernel that died mid-report may have said why on its stderr (a fatal
                # error, memory): kept for the report's error before the file goes
                self.last_words = self._kernel_error()
                self.shutdown()
        self.reports += 1

    def launch(self, kernel_name: str, cwd: str, manager_class) -> None:
        """Start a kernel as nbclient would (history in memory, no stdin) and ask it to
        record its fresh state (:func:`snapshot`, which imports what reports use), without
        waiting: the caller works meanwhile (a report's parameter checks) and the next
        :meth:`execute` waits for the kernel."""
        from jupyter_core.utils import run_sync

        self.shutdown()
        self._launch_args = (kernel_name, cwd, manager_class)
        self.km = manager_class(kernel_name=kernel_name)
        self.kernel_name = kernel_name
        self.reports = 0
        # The kernel's own stderr (a traceback when it cannot start) is kept out of the user's
        # terminal; _ready() reports its last line when no attempt starts.
        self._stderr = tempfile.TemporaryFile()
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"], cwd=cwd,
                                       stderr=self._stderr)
        self.kc = self.km.client()
        self.kc.allow_stdin = False
        self.kc.start_channels()
        # queued until the kernel listens; its reply is awaited in _ready()
        self._pending = self.kc.execute(f"__import__('{__name__}', fromlist=['snapshot']).snapshot()", silent=True,
                                        store_history=False, allow_stdin=False)

    def _start(self, kernel_name: str, cwd: str, manager_class) -> None:
        self.launch(kernel_name, cwd, manager_class)
        self._ready()

    def _ready(self, timeout: float = 300) -> None:
        """Wait until the kernel :meth:`launch` started has recorded its state. A kernel that
        dies while starting is launched again, up to :attr:`launch_attempts` times in all:
        jupyter_client picks free TCP ports and the kernel binds them a moment later, so a
        kernel started at the same time by another process (a batch's other worker) can take
        one first ("Address already in use")."""
        import time

        started = time.perf_counter()
        for attempt in range(1, self.launch_attempts + 1):
            try:
                self._wait_for_snapshot(timeout)
                break
            except _KernelDied:
                if attempt == self.launch_attempts:
                    why = self._kernel_error()
                    raise RuntimeError(f"the kernel died while starting ({attempt} attempts"
                                       + (f"; the last said {why!r})" if why else ")")) from None
                self.launch(*self._launch_args)
        self.last_wait = time.perf_counter() - started

    def _kernel_error(self) -> str:
        """The last line the kernel wrote to its stderr (empty when none)."""
        try:
            self._stderr.seek(0)
            lines = self._stderr.read()[-4000:].decode("utf-8", "replace").strip().splitlines()
        except (AttributeError, OSError, ValueError):
            return ""
        return lines[-1][:300] if lines else ""

    def _wait_for_snapshot(self, timeout: float) -> None:
        import queue
        import time

        from jupyter_core.utils import run_sync

        msg_id, self._pending = self._pending, None
        if msg_id is None:
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = run_sync(self.kc._async_get_shell_msg)(timeout=1)
            except queue.Empty:
                if not run_sync(self.km.is_alive)():
                    raise _KernelDied from None
                if time.monotonic() > deadline:  # not a TimeoutError: that is a cell's
                    raise RuntimeError(f"the kernel did not start within {timeout:.0f} s") from None
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = msg.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"the kernel could not be prepared ({content.get('ename')}: {content.get('evalue')})")
        run_sync(self.kc.wait_for_ready)(timeout=60)  # the handshake nbclient makes, and IOPub drained

    def _run_in_kernel(self, code: str, timeout: float = 60) -> None:
        """Run ``code`` silently in the kernel; raise when it fails."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False, timeout=timeout,
                                                     allow_stdin=False, output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"the warm kernel could not be reset ({content.get('ename')}: {content.get('evalue')})")

    def shutdown(self) -> None:
        """Stop the kernel and its client (nothing happens when none is running)."""
        from jupyter_core.utils import run_sync

        km, kc, self.km, self.kc, self._pending = self.km, self.kc, None, None, None
        stderr, self._stderr = self._stderr, None
        try:
            if kc is not None:
                _heartbeat_started(kc)
                kc.stop_channels()
        except Exception:  # noqa: BLE001 - best effort: the kernel goes next
            pass
        try:
            if km is not None and km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel that is already gone
            pass
        try:
            if km is not None:
                run_sync(km.cleanup_resources)()
        except Exception:  # noqa: BLE001
            pass
        if stderr is not None:
            stderr.close()


def _heartbeat_started(kc, seconds: float = 5.0) -> None:
    """Wait (at most ``seconds``) until the client's heartbeat thread is running.
    jupyter_client's thread sets its running flag only after it has made its socket; stopped
    before that (a report whose parameters fail right after the kernel was launched), it
    spins making sockets until zmq has none left, and dies with a thread traceback ("Too many
    open files") in the user's session."""
    import time

    hb = getattr(kc, "_hb_channel", None)
    if hb is None or not hb.is_alive():
        return
    deadline = time.monotonic() + seconds
    while not getattr(hb, "_running", True) and hb.is_alive() and time.monotonic() < deadline:
        time.sleep(0.002)
