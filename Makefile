# petition-analysis: the two commands a new user needs are `make run` and `make test`.
# Both create the local virtual environment .venv on first use; later runs reuse it
# (it is rebuilt only when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KERNEL := petition-analysis
PYTEST_ARGS ?=
# the suite on every core (pytest-xdist): about half the wall time on 2 cores
PYTEST_WORKERS ?= -n auto

.PHONY: help setup run test test-fast lab kernel data bench validate docs docs-serve clean-venv

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "petition-analysis needs Python 3.11 or newer; set PYTHON=python3.12 (for example) and run again.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,scale,docs]"  # docs: the site's build hooks are tested too
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (petition-analysis)" >/dev/null
	$(BIN)/python -W ignore::RuntimeWarning -m petition_analysis.publish.fonts  # the CJK font (GB 18030), built once; -W: runpy warns that the package imported it first
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv, install the package with test extras, register the Jupyter kernel

run: $(STAMP)  ## the project's main job on the bundled reference data
	$(BIN)/petition-analysis report annual --out reports

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: $(STAMP)  ## the test suite without tests marked slow
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_WORKERS) $(PYTEST_ARGS)

lab: $(STAMP)  ## open JupyterLab with the petition-analysis kernel
	$(BIN)/jupyter lab --MappingKernelManager.transport_encryption=auto notebooks/  # CurveZMQ-encrypted kernels, no plain-TCP warning

kernel: $(STAMP)  ## also register the kernel for your user's own Jupyter
	$(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "Python (petition-analysis)"

data: $(STAMP)  ## regenerate data/reference and data/raw from the generator
	$(BIN)/petition-analysis synth reference --out data/

bench: $(STAMP)  ## benchmarks (not tests): tables on screen, JSON in benchmarks/results/
	$(BIN)/python -m pip install --quiet -e ".[test,scale,bench]"
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

validate: $(STAMP)  ## validate the statistics by simulation (about 15 minutes): validation/results, docs/statistics.md
	$(BIN)/python validation/run.py --workers 2

# The docs extra is installed on first use; the site is built offline, strict (a warning fails),
# and runs the annual report of the bundled data for its example page.
# SOURCE_DATE_EPOCH: the build date MkDocs writes (sitemap) is the last commit's, so the same
# sources give the same site.
DOCS_ENV := NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || echo 0)

docs: $(STAMP)  ## build the documentation site into site/ (strict: a warning fails the build)
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	$(DOCS_ENV) $(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(STAMP)  ## the documentation site on http://127.0.0.1:8000, rebuilt on every change
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	$(DOCS_ENV) $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

clean-venv:  ## remove the virtual environment
	rm -rf $(VENV)
