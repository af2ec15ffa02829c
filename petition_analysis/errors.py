"""Structural errors: an input that cannot be cleaned at all (as opposed to rows that are
rejected one by one). Every such problem raises a :class:`StructuralError` subclass whose
message is one readable paragraph: what was wrong, where, and how to fix it.

>>> err = MissingColumnsError("one.csv", "received_date is missing", hint="add a mapping")
>>> isinstance(err, StructuralError), str(err)
(True, 'one.csv: received_date is missing. add a mapping')
"""

from __future__ import annotations

__all__ = [
    "StructuralError",
    "UnreadableFileError",
    "EmptyInputError",
    "HeaderNotFoundError",
    "MissingColumnsError",
    "MappingError",
    "ReportParameterError",
]


class StructuralError(ValueError):
    """An input cannot be cleaned: the file, its layout or the mapping is wrong.

    ``source`` names the file (and sheet), ``problem`` says what is wrong and ``hint``
    how to fix it; ``str(err)`` joins them into one paragraph.
    """

    def __init__(self, source: str, problem: str, *, hint: str = ""):
        self.source = source
        self.problem = problem
        self.hint = hint
        text = f"{source}: {problem.rstrip('.')}." if source else f"{problem.rstrip('.')}."
        super().__init__(f"{text} {hint}".strip())

    def __reduce__(self):
        # Pickled whole (a worker process or a Dask task sends it back): the default rebuilds
        # from the joined message alone, which this constructor cannot take.
        return _rebuild, (type(self), self.source, self.problem, self.hint)


def _rebuild(cls, source: str, problem: str, hint: str) -> StructuralError:
    return cls(source, problem, hint=hint)


class UnreadableFileError(StructuralError):
    """The file does not exist, is not a table (binary garbage, a truncated workbook) or
    cannot be decoded with the given encoding."""


class EmptyInputError(StructuralError):
    """The input holds no cells at all (an empty file, an empty glob, empty sheets)."""


class HeaderNotFoundError(StructuralError):
    """No row of the first rows looks like a header of a petition register."""


class MissingColumnsError(StructuralError):
    """A required column (received date, channel, level, region, category) was not found
    and no mapping constant supplies it. The message lists the headers found and the
    closest known headers."""


class MappingError(StructuralError):
    """The mapping file is malformed: not YAML, unknown keys, unknown target fields."""


class ReportParameterError(ValueError):
    """A report parameter is wrong; the message says what is allowed. (Defined here, below
    the pipeline, so that the analysis layer can raise it too; re-exported by
    ``petition_analysis.publish.reports.params``.)"""
