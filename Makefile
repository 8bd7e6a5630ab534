# Course « Gestion de la relation client » — every command a student, an instructor
# or CI needs. Each target sets up what it needs first, and does nothing twice:
# the virtual environment is reinstalled only when requirements.txt, pyproject.toml
# or jupyter-settings/ change, the data are rebuilt only when they differ from
# datasets/SHA256SUMS.
#
#   make setup       install everything (.venv, pins, crmlab, data, the course's JupyterLab
#                    settings) without starting JupyterLab
#   make lab         set up, then open the course in JupyterLab: the repository root is the
#                    server's root (exercises/, solutions/, datasets/ are in the file browser)
#                    and chapter 00 opens; extra server options go in LAB_ARGS,
#                    e.g. make lab LAB_ARGS=--no-browser
#   make test        set up, then run every test (what CI runs), the real-browser tests
#                    included where /usr/bin/chromium exists
#   make bench       time and measure every notebook → bench/RESULTS.md
#   make site        build the course website from the stored notebooks (no re-execution,
#                    offline) → _build/site/index.html
#   make exercises   regenerate exercises/ from solutions/
#   make execute     re-run the notebooks in place, top to bottom (after editing one)
#   make check-env   say what is installed, missing or at another version
#   make dashboard   serve the company's dashboard alone with Voilà (chapter 13):
#                    http://localhost:8866 ; extra options in VOILA_ARGS, e.g. VOILA_ARGS=--port=9000
#   make dashboard-static  write the dashboard as one static page (no kernel, no network)
#                    → _build/dashboard/index.html

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: setup data lab test bench site exercises execute check-env clean dashboard dashboard-static

setup: $(STAMP) data

$(STAMP): requirements.txt pyproject.toml $(wildcard jupyter-settings/*)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Python 3.11 ou plus récent est requis (trouvé : $$($(PYTHON) --version))."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) jupyter-settings/install.py
	touch $(STAMP)

data: $(STAMP)
	$(PY) -m crmlab.datasets ensure

lab: setup
	$(BIN)/jupyter lab $(LAB_ARGS) --notebook-dir=. notebooks/00_prise_en_main.ipynb

test: setup
	$(PY) -m pytest -n 2 --dist loadfile -rs --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 120 \
	  --doctest-modules tests crmlab notebooks solutions

bench: setup
	$(PY) bench/run.py

site: $(STAMP)
	$(PY) website/build.py --quiet

exercises: $(STAMP)
	$(PY) tools/make_exercises.py

execute: setup
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.record_timing=False \
	  notebooks/[0-9]*.ipynb solutions/[0-9]*.ipynb
	$(PY) tools/make_exercises.py

dashboard: setup
	$(BIN)/voila dashboard/tableau_de_bord.ipynb --no-browser --port=8866 $(VOILA_ARGS)

dashboard-static: setup
	$(PY) -m crmlab.dashboard _build/dashboard/index.html

check-env: $(STAMP)
	$(PY) -m crmlab.check_env

clean:
	rm -rf $(VENV) build _build *.egg-info
