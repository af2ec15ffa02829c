"""The kernel a report notebook runs in: local, private, and free of port races.

By default a Jupyter kernel listens on TCP ports of the loopback interface without
encryption, and ipykernel says so on every start ("Kernel is running over TCP without
encryption"). TCP has a second flaw for batch runs: the manager picks five free ports,
closes them and writes them down, and the kernel binds them a moment later. Another kernel
started in between (a second batch worker, a test running beside it) can take one, and the
kernel's heartbeat or shell socket then fails with "Address already in use".

On POSIX systems reports therefore talk to their kernel over Unix-domain sockets (IPC
transport) in a fresh private folder (mode 0700) per kernel: no ports to race for, nothing
another machine or user can reach, and nothing written into the notebook's folder. Where
the kernelspec declares CurveZMQ support (ipykernel's does) the sockets are encrypted too.
Elsewhere (Windows, or a temporary folder whose path is too long for a socket name) the
transport is TCP with CurveZMQ keys where pyzmq and the kernelspec allow.
"""

from __future__ import annotations

import os
import shutil
import tempfile

__all__ = ["kernel_manager_class"]

# A Unix socket's path must fit in sun_path: 108 bytes on Linux, 104 on macOS. The manager
# appends "-<port>" (up to 6 bytes) to the prefix.
_MAX_SOCKET_PREFIX = 96


def _private_socket_prefix() -> str | None:
    """An absolute socket-name prefix in a new 0700 folder, or None where IPC cannot be used.

    Absolute, because the kernel runs in the notebook's folder while the client resolves
    the names from its own working folder: a relative name (jupyter_client's default,
    ``kernel-ipc``) makes the two miss each other.
    """
    if os.name != "posix":
        return None
    folder = tempfile.mkdtemp(prefix="pa-kernel-")
    prefix = os.path.join(folder, "k")
    if len(os.fsencode(prefix)) > _MAX_SOCKET_PREFIX:
        os.rmdir(folder)
        return None
    return prefix


def kernel_manager_class():
    """A ``jupyter_client`` kernel manager class for nbclient/papermill
    (``kernel_manager_class=``): IPC sockets in a private folder on POSIX systems, CurveZMQ
    transport encryption wherever pyzmq and the kernelspec support it.

    >>> cls = kernel_manager_class()
    >>> cls.__name__
    'ReportKernelManager'
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    curve = bool(zmq.has("curve"))

    class ReportKernelManager(AsyncKernelManager):
        """AsyncKernelManager with private IPC (or encrypted TCP) transport for report runs."""

        _socket_folder: str | None = None

        @default("transport_encryption")
        def _transport_encryption_default(self):
            return "auto" if curve else "disabled"

        async def _async_pre_start_kernel(self, **kw):
            # Once per manager: a restart reuses the connection file, so it keeps the folder.
            if self._socket_folder is None:
                prefix = _private_socket_prefix()
                if prefix is not None:
                    self._socket_folder = os.path.dirname(prefix)
                    self.transport = "ipc"
                    self.ip = prefix
            return await super()._async_pre_start_kernel(**kw)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and self._socket_folder is not None:
                shutil.rmtree(self._socket_folder, ignore_errors=True)
                self._socket_folder = None

        cleanup_resources = _async_cleanup_resources

    return ReportKernelManager
