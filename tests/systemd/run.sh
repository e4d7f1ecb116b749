#!/bin/bash
# make systemd-test: newswatch installed into a minimal Debian 12 root file
# system and booted under systemd-nspawn, where a one-shot unit runs
# scenario.sh (systemctl start, spool, reload, journal, watchdog, stop) and
# powers the container off; this script reads the results it left.  Twice:
# installed by make install, and by the package (make deb, which this
# script runs) with apt-get install, where the scenario also checks what
# the package's scripts do: start at install, remove, purge.
#
# The root file system is built once with debootstrap into
# $SYSTEMD_TEST_DIR/rootfs (default build-systemd/, ignored by git) and
# reused while its package list is unchanged; every run boots a fresh copy,
# so no run sees another's state.  Never boot systemd on the host's own
# root: its tmpfiles step would clean the host's /tmp.
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
dir=${SYSTEMD_TEST_DIR:-$top/build-systemd}
base=$dir/rootfs
suite=${DEBIAN_SUITE:-bookworm}

die() { echo "systemd-test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap and systemd-nspawn)"
for tool in debootstrap systemd-nspawn; do
	command -v "$tool" >/dev/null || die "$tool missing (scripts/deps.sh installs it)"
done
[ -x newswatch ] || die "./newswatch not built"
mkdir -p "$dir"
make --no-print-directory deb >"$dir/deb.log" 2>&1 ||
    { tail -20 "$dir/deb.log"; die "make deb failed (log: $dir/deb.log)"; }
deb=$(ls build-deb/newswatch_*.deb)

# The mirror apt already uses, so the test needs no address of its own.
mirror=${DEBIAN_MIRROR:-$(apt-get indextargets \
    --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
    awk -v s="$suite" '$2 == s && $3 == "main" { print $1; exit }')}
[ -n "$mirror" ] || die "no Debian mirror for $suite in apt's sources; set DEBIAN_MIRROR"

# The packages that hold newswatch's shared libraries, asked of dpkg, so a
# new library in the Makefile needs no edit here.
lib_packages() {
	local lib pkg
	for lib in $(ldd newswatch | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
		pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(realpath "$lib")" 2>/dev/null ||
		    dpkg -S "/usr$lib" 2>/dev/null) || die "no package owns $lib"
		echo "${pkg%%:*}"
	done | sort -u
}
packages=$( { printf '%s\n' systemd systemd-sysv procps python3; lib_packages; } |
    sort -u | paste -sd, -)

if [ ! -f "$base/.newswatch-packages" ] ||
   [ "$(cat "$base/.newswatch-packages")" != "$packages" ]; then
	echo "== systemd-test: debootstrap $suite ($packages)"
	start=$SECONDS
	rm -rf "$base" "$base.tmp"
	mkdir -p "$dir"
	debootstrap --variant=minbase --include="$packages" "$suite" "$base.tmp" "$mirror" \
	    >"$dir/debootstrap.log" 2>&1 ||
	    { tail -20 "$dir/debootstrap.log"; die "debootstrap failed (log: $dir/debootstrap.log)"; }
	echo "$packages" >"$base.tmp/.newswatch-packages"
	mv "$base.tmp" "$base"
	echo "== systemd-test: root file system built in $((SECONDS - start)) s"
fi

# boot MODE: a fresh copy of the root file system, newswatch put in by
# MODE (install: make install; package: the .deb, which the scenario
# installs), the scenario run in it under systemd; its results, prefixed
# by MODE, appended to $dir/results.
boot() {
	local mode=$1 run=$dir/run-$1 start=$SECONDS
	rm -rf "$run"
	cp -a "$base" "$run"
	case $mode in
	install) make --no-print-directory install DESTDIR="$run" PREFIX=/usr >/dev/null ;;
	package) install -D -m 644 "$deb" "$run/srv/nwtest-deb/${deb##*/}" ;;
	esac
	install -D -m 755 tests/systemd/scenario.sh "$run/usr/local/lib/nwtest/scenario.sh"
	mkdir -p "$run/srv/nwtest"
	/usr/bin/python3 tests/systemd/site.py "$run/srv/nwtest"
	cat >"$run/etc/systemd/system/nwtest-site.service" <<'UNIT'
[Unit]
Description=newswatch test: feeds on 127.0.0.1:8080
[Service]
ExecStart=/usr/bin/python3 -m http.server --bind 127.0.0.1 8080 --directory /srv/nwtest
UNIT
	cat >"$run/etc/systemd/system/nwtest-scenario.service" <<UNIT
[Unit]
Description=newswatch test: the scenario
Requires=nwtest-site.service
After=nwtest-site.service multi-user.target
[Service]
Type=oneshot
Environment=NWTEST_MODE=$mode
ExecStart=/usr/local/lib/nwtest/scenario.sh
ExecStopPost=/bin/systemctl poweroff --no-block
TimeoutStartSec=300
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
UNIT
	mkdir -p "$run/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/nwtest-scenario.service \
	    "$run/etc/systemd/system/multi-user.target.wants/nwtest-scenario.service"

	echo "== systemd-test ($mode): booting $run"
	timeout 420 systemd-nspawn -D "$run" --private-network --register=no --keep-unit \
	    --boot -q </dev/null >"$dir/console-$mode.log" 2>&1 ||
	    echo "systemd-nspawn exited with $?"
	local results=$run/var/lib/nwtest/results
	if [ ! -f "$results" ]; then
		tail -40 "$dir/console-$mode.log"
		echo "FAIL $mode: no results: the scenario did not run" >>"$dir/results"
		return
	fi
	sed "s/^\(ok\|FAIL\) /\1 $mode: /" "$results" >>"$dir/results"
	grep -q '^done$' "$results" ||
	    echo "FAIL $mode: the scenario did not finish" >>"$dir/results"
	if grep -q '^FAIL ' "$results" || ! grep -q '^done$' "$results"; then
		echo "--- the $mode container's journal (last 80 lines) ---"
		tail -80 "$run/var/lib/nwtest/journal.txt" 2>/dev/null ||
		    tail -80 "$dir/console-$mode.log"
	fi
	echo "== systemd-test ($mode): booted and ran in $((SECONDS - start)) s"
}

: >"$dir/results"
boot install
boot package
grep -v '^done$' "$dir/results"
passed=$(grep -c '^ok ' "$dir/results" || true)
failed=$(grep -c '^FAIL ' "$dir/results" || true)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
