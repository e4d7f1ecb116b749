#!/bin/bash
# make systemd-test: newswatch installed into a minimal Debian 12 root file
# system and booted under systemd-nspawn, where a one-shot unit runs
# scenario.sh (systemctl start, spool, reload, journal, watchdog, stop) and
# powers the container off; this script reads the results it left.
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
run=$dir/run
suite=${DEBIAN_SUITE:-bookworm}

die() { echo "systemd-test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap and systemd-nspawn)"
for tool in debootstrap systemd-nspawn; do
	command -v "$tool" >/dev/null || die "$tool missing (scripts/deps.sh installs it)"
done
[ -x newswatch ] || die "./newswatch not built"

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

start=$SECONDS
rm -rf "$run"
cp -a "$base" "$run"
make --no-print-directory install DESTDIR="$run" PREFIX=/usr >/dev/null
install -D -m 755 tests/systemd/scenario.sh "$run/usr/local/lib/nwtest/scenario.sh"
mkdir -p "$run/srv/nwtest"
/usr/bin/python3 tests/systemd/site.py "$run/srv/nwtest"
cat >"$run/etc/systemd/system/nwtest-site.service" <<'UNIT'
[Unit]
Description=newswatch test: feeds on 127.0.0.1:8080
[Service]
ExecStart=/usr/bin/python3 -m http.server --bind 127.0.0.1 8080 --directory /srv/nwtest
UNIT
cat >"$run/etc/systemd/system/nwtest-scenario.service" <<'UNIT'
[Unit]
Description=newswatch test: the scenario
Requires=nwtest-site.service
After=nwtest-site.service multi-user.target
[Service]
Type=oneshot
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

echo "== systemd-test: booting $run"
timeout 420 systemd-nspawn -D "$run" --private-network --register=no --keep-unit \
    --boot -q </dev/null >"$dir/console.log" 2>&1 || echo "systemd-nspawn exited with $?"
results=$run/var/lib/nwtest/results
[ -f "$results" ] || { tail -40 "$dir/console.log"; die "no results: the scenario did not run"; }
cat "$results"
passed=$(grep -c '^ok ' "$results" || true)
failed=$(grep -c '^FAIL ' "$results" || true)
if ! grep -q '^done$' "$results"; then
	echo "the scenario did not finish"
	failed=$((failed + 1))
fi
if [ "$failed" -gt 0 ]; then
	echo "--- the container's journal (last 80 lines) ---"
	tail -80 "$run/var/lib/nwtest/journal.txt" 2>/dev/null || tail -80 "$dir/console.log"
fi
echo "== systemd-test: booted and ran in $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
