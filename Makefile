# The commands a developer and CI run. `make demo` and `make test` build `.venv`
# from the system python3 on first use, with exactly the versions and hashes
# in requirements.lock; later runs reinstall only when the lock changed.
# `make upgrade` rewrites the lock and does nothing else: commit it on its own.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
PYTEST := $(BIN)/python -m pytest

NODE_STAMP := node_modules/.installed-stamp
CAMERA_PHOTOS := .cache/camera-photos

.PHONY: demo test test-sqlite test-postgresql lint bench system-deps upgrade lock clean

# The lock names every package, the build requirements included, so the
# project itself installs with --no-deps and without build isolation: nothing
# unlocked is fetched.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Resolve against PyPI alone (no local mirrors or wheel folders), so that the
# lock's hashes are those every machine gets.
PIP_COMPILE := PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= $(BIN)/pip-compile

# The newest release of everything pyproject.toml allows.
upgrade: $(STAMP)
	$(PIP_COMPILE) --upgrade pyproject.toml

# Only what pyproject.toml's changes need; every other pin stays.
lock: $(STAMP)
	$(PIP_COMPILE) pyproject.toml

# axe-core, the Nu HTML Checker and Lighthouse, pinned by package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# Small photos from real cameras for the photo tests, fetched once (see the script).
$(CAMERA_PHOTOS): tests/camera-fixtures.sh
	sh tests/camera-fixtures.sh $(BIN)/python $(CAMERA_PHOTOS)

demo: $(STAMP)
	$(BIN)/wiesci demo

# Debian packages the browser tests and the PostgreSQL run need.
system-deps:
	@sh tests/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy wiesci tests bench servers
	$(BIN)/python -m wiesci makemigrations --check --dry-run --settings=tests.settings

test-sqlite: system-deps $(STAMP) $(NODE_STAMP) $(CAMERA_PHOTOS)
	@echo "=== Test suite on SQLite ==="
	$(PYTEST)

test-postgresql: system-deps $(STAMP) $(NODE_STAMP) $(CAMERA_PHOTOS)
	@echo "=== Test suite on PostgreSQL (throwaway cluster) ==="
	WIESCI_TEST_DATABASE=postgresql $(PYTEST)

test: lint test-sqlite test-postgresql

bench: system-deps $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info node_modules .cache
