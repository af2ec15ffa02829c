"""Names of a package that load with their module on first use (PEP 562), for the packages
whose import must stay light: ``petition_analysis`` (every kernel and command imports it),
``petition_analysis.publish.reports`` (the process that starts a report's kernel) and
``petition_analysis.synth`` (a report's parameter check needs only the city's regions).

Each package keeps its table (``_LAZY``) and, for type checkers and the API docs, the same
names as static imports under ``if _TYPE_CHECKING:`` (``tests/test_docs.py`` checks they agree).
"""

from __future__ import annotations

import importlib
import sys


def attach(package: str, names: dict, submodules: dict | None = None, *, list_submodules: bool = True):
    """``__getattr__`` and ``__dir__`` for ``package``. ``names``: name → module (relative to
    the package; the attribute of the same name) or → (module, attribute), attribute ``None``
    for the module itself. ``submodules``: name → module, imported when asked for, never bound
    as a plain attribute by this function; ``dir()`` lists them unless ``list_submodules`` is
    false (old names kept working, not shown).

    >>> getattr_, dir_ = attach("petition_analysis", {"taxonomy": ("taxonomy", None)})
    >>> getattr_("taxonomy").__name__
    'petition_analysis.taxonomy'
    """
    table = {k: (v, k) if isinstance(v, str) else v for k, v in names.items()}
    submodules = dict(submodules or {})

    def __getattr__(name: str):
        if name in table:
            module, attr = table[name]
            value = importlib.import_module(f"{package}.{module}")
            if attr is not None:
                value = getattr(value, attr)
            vars(sys.modules[package])[name] = value  # once imported, a plain attribute
            return value
        if name in submodules:
            return importlib.import_module(f"{package}.{submodules[name]}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(table) | (set(submodules) if list_submodules else set()))

    return __getattr__, __dir__
