# thumbgen — the two commands a newcomer needs: `make demo` and `make test`.
JOBS ?= $(shell nproc)
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build test unit-test web web-test sanitize fuzz demo bench chaos install format clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Everything: native unit, golden, CLI and corpus tests (corpus when ../shared/corpus exists), then the
# WebAssembly build with its headless-Chromium smoke test, the .sog/.ksplat loaders against the npm writers, then the
# admin web app (tsc --noEmit and its pages in headless Chromium against a real `thumbgen serve`).
test: build web
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@bash web/smoke-test.sh $(BUILD)-web
	@bash web/splat-parity.sh $(BUILD)/thumbgen
	@bash web/admin/test.sh $(BUILD) $(BUILD)-web

# The render core compiled with Debian's Emscripten (WebGL2), then the admin web app beside the thumbgen binary
# ($(BUILD)/admin, where `thumbgen serve` looks for it).
web: deps
	@bash web/build.sh $(BUILD)-web
	@bash web/admin/build.sh $(BUILD)-web $(BUILD)/admin

# ASan + UBSan build running the unit tests (leaks inside the GL driver are suppressed, see tests/lsan.supp).
sanitize: deps
	@$(MAKE) --no-print-directory build BUILD=$(BUILD)-asan BUILD_TYPE=Debug CMAKE_FLAGS=-DTHUMBGEN_SANITIZE=ON
	@# Crash-isolation tests need real signals and bad_alloc, not ASan's own reports: handle_segv=0 and
	@# allocator_may_return_null=1 keep the process behaviour the tests check.
	@cd $(BUILD)-asan && LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ASAN_OPTIONS=detect_leaks=1:handle_segv=0:handle_abort=0:allocator_may_return_null=1 \
	  ctest --output-on-failure -j $(JOBS) -LE slow

# libFuzzer targets (fuzz/: every parser, clang with ASan + UBSan) in their own build folder, each run for
# FUZZ_SECONDS; FUZZ_TARGETS="gltf2 http" runs only those. Corpora grow in $(BUILD)-fuzz/fuzz/corpus between runs.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTHUMBGEN_FUZZ=ON >/dev/null
	@cmake --build $(BUILD)-fuzz -j $(JOBS) --target fuzzers
	@bash fuzz/run.sh $(BUILD)-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The main job on the embedded default, then the admin pages on a demo catalogue (Ctrl-C stops the server).
demo: build web
	@bash scripts/demo.sh $(BUILD)

# The full chaos run (tests/chaos_test.cpp; `make test` runs a short form): prints a "chaos:" line of figures.
CHAOS_ASSETS ?= 2000
CHAOS_KILLS ?= 100
chaos: build
	@cd $(BUILD) && CHAOS_ASSETS=$(CHAOS_ASSETS) CHAOS_KILLS=$(CHAOS_KILLS) CHAOS_DRAIN_MINUTES=60 tests/chaos_test

# The thumbgen command, the desktop thumbnailer entry and its MIME types under $(PREFIX) (staged under $(DESTDIR) for
# packaging). Installing to the live system refreshes the MIME database so file managers see the new types at once.
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"
	@if [ -z "$(DESTDIR)" ] && command -v update-mime-database >/dev/null; then \
	  update-mime-database "$(PREFIX)/share/mime"; fi

bench: build
	@bash scripts/deps.sh --bench
	@bash bench/run.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'web/*.cpp' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) $(BUILD)-web $(BUILD)-asan $(BUILD)-fuzz thumbnails
