# vendorrisk — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install system-deps test-sqlite test-postgres bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# A local secret for this installation (never committed: instance/ is ignored).
instance/config.py:
	mkdir -p instance
	$(PY) -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@
	chmod 600 $@

## make run: set up, migrate, load demo data on first run, serve on http://127.0.0.1:5000 with the
## scheduler (reminder sweep) beside it; Ctrl+C stops both
run: install instance/config.py
	$(PY) -m vendorrisk db upgrade
	$(PY) -m vendorrisk demo
	$(PY) -m vendorrisk serve --with-scheduler --host $(HOST) --port $(PORT)

# Debian packages the tests use: Chromium for the browser tests (with a Japanese font, so that
# pages are measured as a Japanese reader sees them), PostgreSQL for the second engine.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 \
	    || ! ls /usr/share/tesseract-ocr/*/tessdata/jpn.traineddata >/dev/null 2>&1; then \
	  echo "Installing Debian packages: chromium postgresql fonts-noto-cjk tesseract-ocr (jpn, eng)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium postgresql fonts-noto-cjk \
	    tesseract-ocr tesseract-ocr-jpn tesseract-ocr-eng >/dev/null; \
	fi

test-sqlite: install system-deps
	$(PY) -m pytest -n 2 -q -p no:cacheprovider

test-postgres: install system-deps
	VENDORRISK_TEST_DB=postgres $(PY) -m pytest -n 2 -q -p no:cacheprovider -m "not browser"

## make test: install what the tests need, run the whole suite on SQLite (with the browser), then PostgreSQL
test: test-sqlite test-postgres

bench: install system-deps
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian package: wrk (load generator of bench/throughput.py)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script --small || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
