# Stillpoint: `make run` starts the app, `make test` runs every check.
# Both install what a fresh Debian/Ubuntu machine with Rust lacks.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The Noto fonts draw clients' names in every script (CJK, Devanagari and the other Indic
# scripts, Arabic, colour emoji) in the app and in its PDFs; DejaVu is bundled for the PDFs.
APT_PACKAGES := build-essential pkg-config libwebkit2gtk-4.1-dev xvfb xauth \
	webkit2gtk-driver fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
	imagemagick poppler-utils xdotool postgresql openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TOOLS := $(CURDIR)/.tools
TAURI_DRIVER := $(TOOLS)/bin/tauri-driver
APP := target/debug/stillpoint
SEED := target/debug/stillpoint-seed
DEMO_DIR ?= $(CURDIR)/.demo-data
E2E_TIMEOUT ?= 900

.PHONY: help run demo build test crash-test soak bench bench-smoke deps deps-system deps-ui deps-e2e ui lint fmt-check clippy \
	unit pg-check ui-check bindings bindings-check e2e screenshots clean deps-packaging icons package package-test

help:
	@echo "make run    build and start Stillpoint (data in \$${STILLPOINT_DATA_DIR:-~/.local/share/stillpoint})"
	@echo "make demo   the app on a made-up demo clinic (in .demo-data)"
	@echo "make test   formatting, clippy, Rust tests, UI type check and Vitest, bindings drift, end-to-end"
	@echo "make crash-test  kill a writer 200 times at random moments, and first-run setup at each step; make soak: 10,000"
	@echo "make e2e    only the end-to-end tests (real app under Xvfb)"
	@echo "make bindings  regenerate ui/src/lib/bindings from the Rust types"
	@echo "make package   the Debian package (and an RPM) in target/release/bundle/"
	@echo "make package-test  install that package on a clean Debian 12 (debootstrap) and run it (root)"

## ---- installing what is missing -------------------------------------------------------

deps: deps-system deps-ui

# Install the Debian packages in $(1) that are missing (through sudo when not root).
define apt-ensure
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps-system:
	$(call apt-ensure,$(APT_PACKAGES))
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "Node.js 20.19+ and npm are needed for the UI build; install them and run make again." >&2; exit 1; }

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

e2e/node_modules/.package-lock.json: e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund

packaging/node_modules/.package-lock.json: packaging/package-lock.json
	cd packaging && npm ci --no-audit --no-fund

deps-ui: ui/node_modules/.package-lock.json
deps-e2e: e2e/node_modules/.package-lock.json
deps-packaging: packaging/node_modules/.package-lock.json

$(TAURI_DRIVER):
	cargo install tauri-driver --version 2.1.0 --locked --root $(TOOLS)

## ---- building and running --------------------------------------------------------------

ui: deps-system deps-ui
	cd ui && npm run build

build: ui
	cargo build -p stillpoint-app -p stillpoint-tools -p stillpoint-clinic --bins

run: build
	./$(APP)

# The app on a demo clinic (ten weeks of made-up records) in .demo-data, not your own data.
demo: build
	@[ -e "$(DEMO_DIR)/stillpoint.db" ] || ./$(SEED) "$(DEMO_DIR)"
	STILLPOINT_DATA_DIR="$(DEMO_DIR)" ./$(APP)

## ---- packaging ----------------------------------------------------------------------------

VERSION = $(shell node -p "require('./src-tauri/tauri.conf.json').version")
DEB = target/release/bundle/deb/Stillpoint_$(VERSION)_amd64.deb
RPM = target/release/bundle/rpm/Stillpoint-$(VERSION)-1.x86_64.rpm
TAURI_CLI := $(CURDIR)/packaging/node_modules/.bin/tauri

# Every icon size from the one source image (PNGs for Linux, .ico for Windows, .icns for
# macOS; tauri icon's mobile and Windows-Store images are not kept).
icons: deps-packaging
	cd packaging && $(TAURI_CLI) icon ../icons/source.svg -o ../icons
	cd packaging && $(TAURI_CLI) icon ../icons/source.svg -o ../icons --png 16,24,48,256
	rm -rf icons/android icons/ios icons/Square*Logo.png icons/StoreLogo.png

# The Debian package (and an RPM), from a release build, through the Tauri bundler (the npm
# @tauri-apps/cli in packaging/). The bundle settings live in packaging/tauri.bundle.json, so
# everyday builds do not bundle. The AppImage is not built: its bundler downloads linuxdeploy
# at build time (docs/WINDOWS-MACOS.md, "Other Linux packages").
package: ui deps-packaging
	cargo build --release -p stillpoint-app -p stillpoint-clinic --bins
	cd src-tauri && $(TAURI_CLI) bundle --config ../packaging/tauri.bundle.json
	@ls -l $(DEB) $(RPM)

# The package on a clean Debian 12: debootstrap (cached in .cache/package-test), apt install,
# the app from /usr/bin/stillpoint under Xvfb to its first-run screen, apt remove keeps the
# data. The RPM is read with rpm (what it requires and installs; nothing here installs it).
# Needs root; not part of make test. Screenshots in packaging/.artifacts.
package-test: deps-system deps-packaging $(TAURI_DRIVER)
	$(call apt-ensure,debootstrap rpm)
	@[ -s "$(DEB)" ] || { echo "No $(DEB): run make package first." >&2; exit 1; }
	packaging/rpm-check.sh $(RPM)
	$(if $(SUDO),$(SUDO) )packaging/package-test.sh $(DEB)

## ---- tests -----------------------------------------------------------------------------

test: lint pg-check unit ui-check bindings-check crash-test bench-smoke e2e

lint: fmt-check clippy

fmt-check:
	cargo fmt --all -- --check

# The app crate embeds ui/dist at compile time, so the UI is built first.
clippy: ui
	cargo clippy --workspace --all-targets -- -D warnings

# The Rust tests run beside a throwaway PostgreSQL cluster (tests/pg/cluster), which they
# reach through STILLPOINT_TEST_PG.
unit: ui
	tests/pg/cluster run -- cargo test --workspace

# The PostgreSQL baseline applies to a fresh database and keeps SQLite's rules (signed notes
# locked, append-only audit log, accent-folding search, bytewise text order); then schema 11
# (login roles, row-level security), schema 12 (login management) and schema 13 (credentials)
# apply on top.
pg-check: deps-system
	tests/pg/cluster run -- bash -c 'db="$$STILLPOINT_TEST_PG dbname=stillpoint_check" && \
	  psql -X -q -v ON_ERROR_STOP=1 "$$STILLPOINT_TEST_PG" -c "CREATE DATABASE stillpoint_check" && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0001_baseline.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 "$$db" -f tests/pg/check-schema.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0002_roles.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0003_logins.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0004_credentials.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0005_diary.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0006_home_care.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0007_midas_care_plan.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0008_corrections.sql && \
	  psql -X -q -v ON_ERROR_STOP=1 -1 "$$db" -f src/db/postgres/0009_diary_corrections.sql'

ui-check: deps-ui
	cd ui && npm run check && npm test

# SIGKILL a writer at random moments; every acknowledged write must survive, intact. Then
# SIGKILL first-run setup at each of its steps and at SETUP_KILLS random moments: every start
# after it opens the data or shows setup again with nothing half-made.
CRASH_TRIALS ?= 200
SETUP_KILLS ?= 20
crash-test:
	cargo build -p stillpoint-tools --bin stillpoint-crash
	target/debug/stillpoint-crash run --trials $(CRASH_TRIALS)
	target/debug/stillpoint-crash setup --random $(SETUP_KILLS)

soak:
	$(MAKE) crash-test CRASH_TRIALS=10000

# Measurements side by side in one run (release build): our core against the SQL floor on a
# synthetic clinic, encryption's cost, login time, and start-up time and memory beside a bare
# Tauri window (bench/bare-window); then the same operations on PostgreSQL, ours against the
# floor on the same server, and 8 workstations writing at once for a minute (8 processes, each
# logged in as its own clinic user's role; then no acknowledged write lost, the audit chain
# intact, the totals equal a fresh count). BENCH_SIZE=small|medium|large.
# BENCH_KEEP=DIR keeps the SQLite clinic in DIR for later runs. The PostgreSQL bench runs in
# a throwaway cluster (tests/pg/cluster), so nothing it makes outlives the run; to keep the
# PostgreSQL clinic too, give a server that stays up: BENCH_SERVER='host=… user=…' (a
# key=value conninfo; its user may create databases), and with BENCH_KEEP set the clinic is
# kept there in the database stillpoint_bench_$(BENCH_SIZE) and reused when complete. With
# BENCH_KEEP set, the PostgreSQL clinic is not written through the core (about two hours at
# the large size) but imported from the kept SQLite clinic (security::import), as a clinic
# moves onto its server.
BENCH_SIZE ?= medium
BENCH_PG = target/release/stillpoint-bench --engine postgres --size $(BENCH_SIZE) \
	  $(if $(BENCH_KEEP),--import $(BENCH_KEEP)) --write docs/BENCHMARKS.md
bench: ui
	cargo build --release -p stillpoint-tools --bin stillpoint-bench
	cargo build --release -p stillpoint-app -p stillpoint-bare-window
	timeout --signal=TERM 7200 xvfb-run -a -s "-screen 0 1280x800x24" \
	  target/release/stillpoint-bench --size $(BENCH_SIZE) $(if $(BENCH_KEEP),--keep $(BENCH_KEEP)) \
	  --write docs/BENCHMARKS.md \
	  --startup target/release/stillpoint target/release/stillpoint-bare-window
ifdef BENCH_SERVER
	timeout --signal=TERM 14400 $(BENCH_PG) --server '$(BENCH_SERVER)' \
	  $(if $(BENCH_KEEP),--keep stillpoint_bench_$(BENCH_SIZE))
else
	timeout --signal=TERM 14400 tests/pg/cluster run -- $(BENCH_PG)
endif

# The small size, as a smoke check inside make test (no timing is asserted), on SQLite and
# on PostgreSQL (a throwaway cluster), where the 8 writers write for 5 seconds (their checks
# must hold: nothing acknowledged lost, the audit chain intact, the totals agree).
bench-smoke:
	cargo build -p stillpoint-tools --bin stillpoint-bench
	target/debug/stillpoint-bench --size small
	tests/pg/cluster run -- target/debug/stillpoint-bench --engine postgres --size small

# ts-rs writes every IPC type into ui/src/lib/bindings when the export tests run.
bindings:
	cargo test --workspace --lib export_bindings

bindings-check: bindings
	@git diff --exit-code --stat -- ui/src/lib/bindings src-tauri/capabilities || { \
	  echo "TypeScript bindings or the capability file drifted from the Rust types and the command table: run 'make bindings' and commit them." >&2; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- ui/src/lib/bindings); \
	if [ -n "$$untracked" ]; then \
	  echo "New bindings are not committed: $$untracked" >&2; exit 1; fi

e2e: build deps-e2e $(TAURI_DRIVER)
	timeout --signal=TERM --kill-after=30 $(E2E_TIMEOUT) \
	  tests/pg/cluster run -- xvfb-run -a -s "-screen 0 1280x800x24" npm --prefix e2e test

# Copy the screenshots the end-to-end run took into docs/ (for the README).
screenshots:
	cp e2e/.artifacts/clients-empty.png docs/clients-empty.png
	cp e2e/.artifacts/client-form-error.png docs/client-form.png
	cp e2e/.artifacts/client-page.png docs/client-page.png
	cp e2e/.artifacts/intake-form.png docs/intake-form.png
	cp e2e/.artifacts/session-note.png docs/session-note.png
	cp e2e/.artifacts/signed-note-with-amendment.png docs/signed-note.png
	cp e2e/.artifacts/history.png docs/history.png
	cp e2e/.artifacts/history-charts.png docs/history-charts.png
	cp e2e/.artifacts/dashboard.png docs/dashboard.png
	cp e2e/.artifacts/search.png docs/search.png
	cp e2e/.artifacts/pdf-page.png docs/pdf-page.png
	cp e2e/.artifacts/recovery-key.png docs/recovery-key.png
	cp e2e/.artifacts/admin.png docs/admin.png
	cp e2e/.artifacts/lock-screen.png docs/lock-screen.png
	cp e2e/.artifacts/hostile-text.png docs/hostile-text.png
	cp e2e/.artifacts/theme-dashboard-dark.png docs/dashboard-dark.png
	cp e2e/.artifacts/theme-client-form-dark.png docs/client-form-dark.png
	cp e2e/.artifacts/upgrade-progress.png docs/upgrade-progress.png
	cp e2e/.artifacts/upgrade-failed.png docs/upgrade-failed.png
	cp e2e/.artifacts/about.png docs/about.png

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules e2e/node_modules e2e/.artifacts
