# vnocr: `make run` and `make test` install what is missing, then do their work.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet tesseract-ocr-eng tesseract-ocr-osd \
	poppler-utils fonts-liberation2 hunspell-vi chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: setup system venv run test eval bench dictionaries samples screenshots clean

setup: system venv

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,build]'
	touch $@

run: setup
	$(VENV)/bin/vnocr process samples -o out

test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

eval: setup
	for s in scripts/eval_*.py; do $(PY) $$s || exit 1; done

bench: setup
	for s in scripts/bench_*.py; do $(PY) $$s || exit 1; done

dictionaries: setup
	$(PY) scripts/build_dictionaries.py
	$(PY) scripts/make_ocr_pairs.py
	$(PY) scripts/build_confidence.py
	$(PY) scripts/build_digits.py

samples: setup
	$(PY) scripts/make_samples.py

screenshots: setup
	VNOCR_SCREENSHOTS=out/screenshots $(PY) -m pytest -q -m browser tests

clean:
	rm -rf out build .pytest_cache
