# mvdns: a thin wrapper over meson, so the README's commands stay short.
#   make demo   install what is missing, build, run the lab demo (KEEP=1 leaves it up)
#   make check  install what is missing, build, run every test
# Other targets: deps build unit sanitize fuzz lab format format-check clean

BUILD     ?= build
BUILDTYPE ?= release
# Link-time optimisation lets the packet path inline across dns/ and dataplane/
# (bench/HISTORY.md, third stop: 986 -> 960 instructions per query for 1k names, mix a).
LTO ?= true
FUZZ_SECONDS ?= 30
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian 12 packages for building, testing, the demo and the benchmarks.
PACKAGES := build-essential meson ninja-build pkg-config clang llvm libclang-rt-14-dev \
	dpdk dpdk-dev libdpdk-dev libbpf-dev libxdp-dev xdp-tools libjansson-dev \
	libcriterion-dev libcurl4-openssl-dev clang-format \
	iproute2 ethtool iputils-ping dnsutils knot-dnsutils python3 python3-dnspython \
	tcpdump valgrind

.PHONY: all deps build demo check unit sanitize fuzz lab format format-check clean

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "== installing:" $$missing; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=$(BUILDTYPE) -Db_lto=$(LTO)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	$(SUDO) lab/demo.sh $(if $(KEEP),--keep)

check: build format-check unit sanitize fuzz lab

unit: build
	meson test -C $(BUILD) --suite unit --suite cli --print-errorlogs

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: deps
	[ -f build-sanitize/build.ninja ] || CC=clang meson setup build-sanitize \
		--buildtype=debug -Ddataplane=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all
	ninja -C build-sanitize
	ASAN_OPTIONS=detect_leaks=1 meson test -C build-sanitize --suite unit --print-errorlogs \
		--wrapper $(CURDIR)/tests/unit/fail_on_leak.sh

# libFuzzer on "packet in, reply out", briefly, from the seed corpus.
fuzz: deps
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz \
		--buildtype=debugoptimized -Ddataplane=disabled -Dtests=disabled -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link
	ninja -C build-fuzz
	corpus=$$(mktemp -d) && trap 'rm -rf $$corpus' EXIT && \
		build-fuzz/tests/fuzz_packet -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$$corpus tests/fuzz/corpus

# Integration tests: the real dataplane in network namespaces, queried with dig.
lab: build
	$(SUDO) tests/lab/run.sh

# Benchmarks (bench/README.md): JSON in bench/results/, tables on stdout.
# QUICK=1: the few-minute variant; UPDATE_README=1 puts the tables in
# bench/README.md. Low figures never fail it; a component that does not start does.
.PHONY: bench
bench: build
	$(SUDO) bench/run.sh $(if $(filter 1 yes true,$(QUICK)),--quick) \
		$(if $(filter 1 yes true,$(UPDATE_README)),--update-readme)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz
