"""The kernel a report notebook runs in: local, and never talking in plain text over TCP.

By default a Jupyter kernel listens on TCP ports of the loopback interface without
encryption, and ipykernel says so on every start ("Kernel is running over TCP without
encryption"). Reports use a kernel manager that asks for CurveZMQ keys (provisioned by
jupyter_client for a kernelspec that declares ``curve`` support, as ipykernel's does) and,
where that is not possible, a Unix-domain socket (IPC transport), which no other machine
can reach and which the runtime folder's permissions protect.
"""

from __future__ import annotations

import os

__all__ = ["kernel_manager_class"]


def kernel_manager_class():
    """A ``jupyter_client`` kernel manager class for nbclient/papermill
    (``kernel_manager_class=``): CurveZMQ transport encryption when pyzmq has it, else IPC
    on POSIX systems, else the default.

    >>> cls = kernel_manager_class()
    >>> cls.__name__
    'ReportKernelManager'
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    curve = bool(zmq.has("curve"))

    class ReportKernelManager(AsyncKernelManager):
        """AsyncKernelManager with encrypted (or IPC) transport for report runs."""

        @default("transport_encryption")
        def _transport_encryption_default(self):
            return "auto" if curve else "disabled"

        @default("transport")
        def _transport_default(self):
            return "ipc" if not curve and os.name == "posix" else "tcp"

        async def _async_pre_start_kernel(self, **kw):
            # A kernelspec that does not declare curve support gets no keys: use IPC there.
            if self.transport == "tcp" and os.name == "posix" and not (
                    curve and self._kernel_supports_curve_encryption()):
                self.transport = "ipc"
            return await super()._async_pre_start_kernel(**kw)

    return ReportKernelManager
