# newswatch - feed monitor daemon
#
#   make            build ./newswatch
#   make run        install the missing build packages, build, run on etc/feeds.yaml
#   make test       install the missing build and test packages, build, run
#                   every test (12 to 25 minutes)
#   make bench      the parse, throughput and peer benchmarks (not part of make test)
#   make bench-scale  1, 2 and 3 instances sharing one PostgreSQL state
#   make extract-eval  the article parser against Readability.js on the
#                   article corpus and WCXB dev: body F1 (per page type on
#                   WCXB), metadata, time per page
#   make dup-eval   near-duplicate matching: precision and recall on pairs
#                   made from the article corpora, tuned on half, checked on half
#   make corpus     the shared feed corpus against feedparser (make test runs it)
#   make sanitize   build with ASan+UBSan into build-asan/
#   make check-sanitize  every test under ASan+UBSan, and valgrind
#   make systemd-test  install into a Debian 12 container, boot it, drive systemctl
#                   (once with make install, once with the package)
#   make deb        the Debian package, checked by lintian, in build-deb/
#   make fuzz       run each libFuzzer harness for FUZZ_SECONDS (clang)
#   make install    PREFIX=/usr/local DESTDIR=

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
PYTHON   ?= /usr/bin/python3

PKGS      = libcurl libxml-2.0 yaml-0.1 sqlite3 jansson libsystemd libpq hiredis \
            libmicrohttpd libcrypto zlib libzstd
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN     += -Werror
endif
NW_CFLAGS = -std=gnu11 $(WARN) -pthread -D_GNU_SOURCE -DNEWSWATCH_VERSION='"$(VERSION)"' \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
NW_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lev -lm -pthread

BUILD    ?= build
BIN      ?= newswatch
# The command (main.c and a file per command family) links against the
# library the tests link against too.
MAIN_SRC  = daemon/main.c $(wildcard daemon/cmd_*.c)
LIB_SRC   = $(filter-out $(MAIN_SRC),$(wildcard daemon/*.c feeds/*.c store/*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ  = $(MAIN_SRC:%.c=$(BUILD)/%.o)
TEST_SRC  = $(wildcard tests/test_*.c)
TEST_BIN  = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(BUILD)/libnewswatch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NW_LIBS)

$(BUILD)/libnewswatch.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(NW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libnewswatch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NW_LIBS) -lcmocka

$(BUILD)/bench/parse_bench: $(BUILD)/bench/parse_bench.o $(BUILD)/libnewswatch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NW_LIBS)

$(BUILD)/tools/dup_fp: $(BUILD)/tools/dup_fp.o $(BUILD)/libnewswatch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NW_LIBS)

# The near-duplicate fingerprint's precision and recall on pairs made from
# the article corpora (tools/dup_eval.py), tuned on one half, checked on
# the other.
dup-eval: $(BIN) $(BUILD)/tools/dup_fp
	$(PYTHON) tools/dup_eval.py --binary ./$(BIN) --fp $(BUILD)/tools/dup_fp \
	    --corpus ../shared/corpus/articles

# The fuzz harnesses (tests/fuzz/): with libFuzzer in build-fuzz/ (clang,
# `make fuzz`), and linked to replay.c by any compiler, so every test run
# replays the crash inputs fuzzing found (tests/data/fuzz-regress/NAME/).
FUZZ_NAMES  = feed article jsonld config markup loose fast
REPLAY_BIN  = $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/libnewswatch.a
	@mkdir -p $(dir $@)
	$(CC) $(NW_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(NW_LIBS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libnewswatch.a
	@mkdir -p $(dir $@)
	$(CC) $(NW_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(NW_LIBS)

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_BIN:=.d)

# Install the Debian packages the build needs, and (test-deps) those the
# tests need too, when missing; no service they bring is left enabled.
deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh --test

unit-tests: $(TEST_BIN) $(BIN) $(REPLAY_BIN)

# Everything: the plain build, the same tests under ASan+UBSan, valgrind,
# and a short fuzz run of each harness (when clang is there).
test: test-deps
	@$(MAKE) --no-print-directory unit-tests
	@$(MAKE) --no-print-directory sanitize >/dev/null
	@if command -v $(FUZZ_CC) >/dev/null; then \
	    $(MAKE) --no-print-directory fuzz-build >/dev/null; fi
	@scripts/run-tests.sh $(BUILD) --sanitize build-asan --valgrind \
	    --fuzz $(FUZZ_TEST_SECONDS) --systemd
	@$(PYTHON) tests/corpus/run_corpus.py --binary ./newswatch

run: deps
	@$(MAKE) --no-print-directory newswatch
	@mkdir -p var
	./newswatch run -c etc/feeds.yaml

# The peers: nginx serves real feeds to newswatch, sfeed_update and rss2email
# (before bench.py, whose clean-up of 100,000 files would slow their creates).
BENCH_PKGS = nginx-light rss2email

bench:
	@scripts/deps.sh --test $(BENCH_PKGS)
	@$(MAKE) --no-print-directory newswatch $(BUILD)/bench/parse_bench
	$(PYTHON) bench/parse.py --bench $(BUILD)/bench/parse_bench
	$(PYTHON) bench/check_scale.py --binary ./newswatch
	$(PYTHON) bench/peers.py --binary ./newswatch --article 2000 --profile
	$(PYTHON) bench/bench.py --binary ./newswatch
	$(PYTHON) bench/scale.py --binary ./newswatch

# 1, 2 and 3 instances on one PostgreSQL state, in the same run.
bench-scale: test-deps
	@$(MAKE) --no-print-directory newswatch
	$(PYTHON) bench/scale.py --binary ./newswatch $(SCALE_ARGS)

# The article parser on the sets of ../shared/corpus/articles, beside
# Readability.js (installed by the script into bench/peer/ on first use),
# with the same scorer; a benchmark, not a test.  Readability.js takes
# seconds a page on WCXB: EVAL_ARGS='--wcxb-limit 200' for a quick run.
extract-eval: test-deps
	@$(MAKE) --no-print-directory newswatch
	$(PYTHON) bench/extract_eval.py --binary ./newswatch $(EVAL_ARGS)

# Every feed of ../shared/corpus/feeds through `newswatch parse`, compared
# with feedparser; fails only when a file crashes or hangs the parser.
corpus: test-deps
	@$(MAKE) --no-print-directory newswatch
	$(PYTHON) tests/corpus/run_corpus.py --binary ./newswatch

# The installed daemon under a booted systemd, in a Debian 12 container
# (tests/systemd/run.sh; the root file system is built once, in build-systemd/).
systemd-test: test-deps
	@$(MAKE) --no-print-directory $(BIN)
	tests/systemd/run.sh

# dpkg-buildpackage writes beside the source tree: it builds a copy in
# $(DEB_DIR)/newswatch-$(VERSION), so the .deb, .buildinfo and .changes
# land in $(DEB_DIR) and the tree's own build stays untouched.  lintian's
# warnings fail the target (overrides: debian/newswatch.lintian-overrides).
DEB_DIR  ?= build-deb
DEB_ARCH  = $(shell dpkg-architecture -qDEB_HOST_ARCH)
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)
DEB_CHANGES = $(DEB_DIR)/newswatch_$(DEB_VERSION)_$(DEB_ARCH).changes

deb: test-deps
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/newswatch-$(VERSION)
	tar -c --exclude=./.git --exclude='./build*' --exclude=./newswatch \
	    --exclude=./var --exclude=./bench/peer --exclude=__pycache__ -f - . | \
	    tar -x -C $(DEB_DIR)/newswatch-$(VERSION)
	cd $(DEB_DIR)/newswatch-$(VERSION) && \
	    dpkg-buildpackage -b -us -uc >../dpkg-buildpackage.log 2>&1 || \
	    { tail -30 ../dpkg-buildpackage.log; exit 1; }
	lintian --fail-on error,warning --info $(DEB_CHANGES)
	@echo "deb: $(DEB_CHANGES:.changes=.deb)"

# ASan+UBSan build of everything in build-asan/; `make sanitize-test` runs
# every test against it.  NW_DEBUG turns on our own invariants (NW_ASSERT,
# daemon/log.h) there too.
sanitize:
	$(MAKE) BUILD=build-asan BIN=build-asan/newswatch \
	    CFLAGS="-O1 -g -DNW_DEBUG -fsanitize=address,undefined -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" all unit-tests

sanitize-test: test-deps sanitize
	scripts/run-tests.sh --sanitize build-asan

# The sanitizer and valgrind halves of make test on their own.
check-sanitize: test-deps sanitize
	@$(MAKE) --no-print-directory $(BIN)
	@scripts/run-tests.sh --sanitize build-asan --valgrind

# libFuzzer needs clang (Debian: clang, libclang-rt-14-dev).  FUZZ_SECONDS
# per harness; make test runs each for FUZZ_TEST_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 12
FUZZ_CC     ?= clang
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	    LDFLAGS="$(FUZZ_SAN)" $(FUZZ_NAMES:%=build-fuzz/fuzz/fuzz_%)

fuzz: test-deps fuzz-build
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

# etc/feeds.yaml keeps `make run`'s state and spool under ./var; the
# installed copy points at the packaged paths the unit makes writable.
PACKAGED_PATHS = -e 's|^\# `make run` uses this file.*|\# Installed by make install: state and spool at their packaged paths.|' \
    -e 's|^spool: ./var/spool *\#.*|spool: /var/spool/newswatch   \# items appear in new/, one JSON file each|' \
    -e 's|^state: ./var/state.db *\#|state: /var/lib/newswatch/state.db  \#|'

install: newswatch
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/newswatch
	install -m 755 newswatch $(DESTDIR)$(BINDIR)/newswatch
	install -m 644 man/newswatch.8 $(DESTDIR)$(MANDIR)/man8/newswatch.8
	install -m 644 man/newswatch.yaml.5 $(DESTDIR)$(MANDIR)/man5/newswatch.yaml.5
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/newswatch.service > $(DESTDIR)$(UNITDIR)/newswatch.service
	install -m 644 systemd/newswatch.sysusers $(DESTDIR)$(SYSUSERSDIR)/newswatch.conf
	install -m 644 systemd/newswatch.tmpfiles $(DESTDIR)$(TMPFILESDIR)/newswatch.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/newswatch/feeds.yaml || \
	    sed $(PACKAGED_PATHS) etc/feeds.yaml > $(DESTDIR)$(SYSCONFDIR)/newswatch/feeds.yaml
	# The spool's layout; systemd-tmpfiles gives it to the newswatch user.
	install -d -m 755 $(DESTDIR)$(LOCALSTATEDIR)/spool/newswatch/tmp \
	    $(DESTDIR)$(LOCALSTATEDIR)/spool/newswatch/new \
	    $(DESTDIR)$(LOCALSTATEDIR)/spool/newswatch/cur

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/newswatch $(DESTDIR)$(MANDIR)/man8/newswatch.8 \
	    $(DESTDIR)$(MANDIR)/man5/newswatch.yaml.5 $(DESTDIR)$(UNITDIR)/newswatch.service \
	    $(DESTDIR)$(SYSUSERSDIR)/newswatch.conf $(DESTDIR)$(TMPFILESDIR)/newswatch.conf

clean:
	rm -rf build build-asan build-fuzz build-systemd build-deb newswatch

.PHONY: all deps test-deps unit-tests dup-eval test run bench bench-scale corpus sanitize sanitize-test check-sanitize \
	fuzz-build fuzz deb install uninstall clean

# Keep test objects: they are intermediate files of a pattern chain.
.SECONDARY:
