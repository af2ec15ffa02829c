"""``python -m petition_analysis``: the same command line as ``petition-analysis``.

Useful where the venv's ``bin/`` folder is not on ``PATH``::

    .venv/bin/python -m petition_analysis report annual
"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
