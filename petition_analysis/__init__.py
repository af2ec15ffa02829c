"""petition-analysis: load, clean and analyse Chinese petition (信访) registers."""

from . import schema, synth, taxonomy
from ._version import __version__
from .schema import SchemaError, validate

__all__ = ["__version__", "schema", "synth", "taxonomy", "validate", "SchemaError"]
