"""Shared fixtures. The reference data is read once per session; tests must not modify it."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from petition_analysis import reference


@pytest.fixture(scope="session")
def reference_df() -> pd.DataFrame:
    """The bundled reference register (data/reference), read once."""
    return reference.load_reference()


@pytest.fixture(scope="session")
def font_cache_home(tmp_path_factory):
    """A user cache directory of the test session's own (XDG_CACHE_HOME), where the CJK font
    is built once per session instead of in ~/.cache/petition-analysis. Under pytest-xdist the
    workers share one, and the first builds the font while the others wait (a build takes
    20-50 s of CPU: each worker building its own doubled it)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return tmp_path_factory.mktemp("xdg-cache")
    import fcntl

    from petition_analysis.publish import fonts

    root = tmp_path_factory.getbasetemp().parent  # one folder for all workers of this run
    home = root / "xdg-cache"
    with open(root / "xdg-cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        home.mkdir(exist_ok=True)
        fonts.build_static_font(target=home / "petition-analysis" / "fonts" / fonts._STATIC_NAME)
    return home


@pytest.fixture()
def font_cache(font_cache_home, monkeypatch):
    """Point the user cache at the session's temporary one for the test: the CJK font is built
    there (the first test pays for it) and read from there, never from the user's cache. A
    system CJK font that covers GB 18030 is still preferred (see ``publish.fonts``)."""
    from petition_analysis.publish import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(font_cache_home))
    monkeypatch.delenv("PETITION_ANALYSIS_CJK_FONT", raising=False)
    fonts.cjk_family.cache_clear()  # the family registered from another cache is looked up again
    yield font_cache_home / "petition-analysis" / "fonts"
    fonts.cjk_family.cache_clear()


@pytest.fixture(scope="session")
def reference_manifest() -> dict:
    return reference.load_manifest()


@pytest.fixture()
def ref(reference_df) -> pd.DataFrame:
    """A private copy of the reference register for tests that modify it."""
    return reference_df.copy()


#: Raw label text typed into label columns by ``unmapped_labels_csv``: none of it may reach a
#: log, the CLI's output, logging or the rejects.
LABEL_LEAKS = ("王建国", "13912345678", "张三", "李四喜", "13800001234")


@pytest.fixture(scope="session")
def label_leaks() -> tuple[str, ...]:
    return LABEL_LEAKS


@pytest.fixture()
def unmapped_labels_csv(tmp_path):
    """A small export with names and phone numbers typed into label columns (channel,
    category, level, status), in kept and in rejected rows."""
    rows = [
        ["编号", "登记日期", "信访形式", "人数", "到达层级", "问题属地", "问题分类", "办理状态"],
        ["A1", "2019-03-05", "王建国 13912345678", "1", "到市", "甲区", "城乡建设", "已受理"],   # rejected: channel
        ["A2", "2019-03-06", "来信", "1", "到县", "乙区", "张三", "已受理"],                     # kept: category other
        ["A3", "2019-03-07", "来信", "1", "到县", "乙区", "张三", "李四喜"],                      # kept: category, status
        ["A4", "2019-13-40", "来信", "1", "到县", "乙区", "张三", "已受理"],                      # rejected: date
        ["A5", "2019-03-08", "来访", "2", "李四喜13800001234", "甲区", "城乡建设", "已受理"],     # rejected: level
        ["A6", "2019-03-09", "来信", "1", "到县", "甲区", "国土资源", "已受理"],
    ]
    path = tmp_path / "labels.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


#: A conftest for the pytest that a test runs in a subprocess over notebooks (nbval).
#: jupyter_client picks free TCP ports and the kernel binds them a moment later, so under
#: pytest-xdist a kernel started at the same time by another worker can take one first
#: ("Address already in use"). So nbval's kernels talk over Unix-domain sockets in a private
#: folder, as report kernels do (publish/reports/kernels.py), and a kernel that still dies
#: while starting is started again (the report runner retries the same way,
#: publish/reports/warm.py).
NBVAL_RETRY_CONFTEST = '''
import os
import shutil

import nbval.kernel as _kernel

from petition_analysis.publish.reports.kernels import _private_socket_prefix

_start = _kernel.start_new_kernel


class _PrivateSocketsKernelManager(_kernel.KernelManager):
    def __init__(self, **kw):
        super().__init__(**kw)
        prefix = _private_socket_prefix()  # the report kernels' private folder (None: TCP)
        if prefix is not None:
            self._socket_folder = os.path.dirname(prefix)
            self.transport = "ipc"
            self.ip = prefix

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart and getattr(self, "_socket_folder", None):
            shutil.rmtree(self._socket_folder, ignore_errors=True)


def _start_with_retry(*args, **kwargs):
    for attempt in range(3):
        try:
            return _start(*args, **kwargs)
        except RuntimeError:  # "Kernel died before replying to kernel_info"
            if attempt == 2:
                raise


_kernel.KernelManager = _PrivateSocketsKernelManager
_kernel.start_new_kernel = _start_with_retry
'''


@pytest.fixture()
def nbval_folder(tmp_path):
    """A folder for notebooks to run under nbval in a subprocess, with the retry above."""
    (tmp_path / "conftest.py").write_text(NBVAL_RETRY_CONFTEST, encoding="utf-8")
    return tmp_path
