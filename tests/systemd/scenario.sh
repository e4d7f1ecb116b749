#!/bin/bash
# Runs inside the booted test container (tests/systemd/run.sh): drives the
# installed newswatch through systemctl as an administrator would, writing
# "ok STEP" or "FAIL STEP: why" per check to the results file, "done" last.
out=/var/lib/nwtest/results
spool=/var/spool/newswatch
conf=/etc/newswatch/feeds.yaml
mkdir -p /var/lib/nwtest
: >"$out"

ok() { echo "ok $*" >>"$out"; }
fail() { echo "FAIL $*" >>"$out"; }
# check STEP COMMAND...: one result line from the command's exit status.
check() {
	local step=$1
	shift
	if "$@"; then ok "$step"; else fail "$step"; fi
}
# wait_for SECONDS COMMAND...: until the command succeeds or time is up.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}
prop() { systemctl show -p "$1" --value newswatch; }
items_at_least() { [ "$(find "$spool/new" -name '*.json' | wc -l)" -ge "$1" ]; }
tmp_empty() { [ -z "$(ls -A "$spool/tmp")" ]; }
journal_has() { # PRIORITY TEXT
	journalctl -q --no-pager -u newswatch -p "$1..$1" -o cat | grep -qF -- "$2"
}

# The package: apt-get installs it as an administrator would; its scripts
# make the user and the spool, and enable and start the service.
if [ "$NWTEST_MODE" = package ]; then
	check "apt-get install ./newswatch_*.deb" sh -c \
	    'apt-get install -y /srv/nwtest-deb/newswatch_*.deb >/var/lib/nwtest/apt-install.log 2>&1'
	check "the package made the newswatch user" getent passwd newswatch
	check "the package made the spool, owned by newswatch" \
	    test "$(stat -c %U "$spool/new" 2>/dev/null)" = newswatch
	check "the package enabled the service" systemctl -q is-enabled newswatch
	check "the package started the service" systemctl -q is-active newswatch
	check "feeds.yaml is a conffile" sh -c \
	    "dpkg-query -W -f '\${Conffiles}' newswatch | grep -q '^ $conf '"
	# The scenario starts from a stopped service, as after make install.
	systemctl stop newswatch
fi

# The packaged example config points at the packaged paths.
check "installed feeds.yaml uses /var/spool/newswatch and /var/lib/newswatch" \
    sh -c "newswatch check -c $conf | grep -qF 'spool $spool, state /var/lib/newswatch/state.db'"

# The test's own feeds; spool and state left at their defaults.
cat >"$conf" <<YAML
allow_private_addresses: true
feeds:
  - url: http://127.0.0.1:8080/a.xml
    name: a
  - url: http://127.0.0.1:8080/missing.xml
    name: broken
YAML

# Type=notify: start returns once READY=1 came, and STATUS= with it.
check "systemctl start newswatch returns 0" systemctl start newswatch
status=$(prop StatusText)
check "StatusText is set when start returns: $status" test -n "$status"
check "systemctl is-active: $(systemctl is-active newswatch)" systemctl -q is-active newswatch

check "feed a's two items arrive in $spool/new" wait_for 30 items_at_least 2
item=$(find "$spool/new" -name '*.json' | head -1)
check "items are owned by newswatch" test "$(stat -c %U "$item")" = newswatch
check "the state lives in the StateDirectory, owned by newswatch" \
    test "$(stat -c %U /var/lib/newswatch/state.db 2>/dev/null)" = newswatch
check "an item holds its article" grep -qF '"The first paragraph of story a' "$item"

pid=$(prop MainPID)
cat >>"$conf" <<YAML
  - url: http://127.0.0.1:8080/b.xml
    name: b
YAML
check "systemctl reload newswatch returns 0" systemctl reload newswatch
check "feed b's items arrive after the reload" wait_for 30 items_at_least 4
check "the reload kept the process (MainPID $pid)" test "$(prop MainPID)" = "$pid"
check "is-active after the reload" systemctl -q is-active newswatch

# watch_config: a save by rename (as sed -i and vim do) is reloaded by
# itself, under ProtectSystem=strict; a broken one shows in StatusText.
{ cat "$conf"; printf '  - url: http://127.0.0.1:8080/c.xml\n    name: c\n'; } >"$conf.new"
mv "$conf.new" "$conf"
check "feed c's items arrive without systemctl reload" wait_for 30 items_at_least 6
check "the file watch kept the process (MainPID $pid)" test "$(prop MainPID)" = "$pid"
reload_failed() { prop StatusText | grep -q '^reload failed: '; }
printf 'bogus: 1\n' >>"$conf"
check "a broken edit shows in StatusText: $(wait_for 30 reload_failed; prop StatusText)" \
    reload_failed
sed -i '$d' "$conf"
check "fixing it clears StatusText" wait_for 30 sh -c "! systemctl show -p StatusText --value newswatch | grep -q '^reload failed'"
check "status --json lists a, b and c" sh -c "newswatch status --json -c $conf |
    python3 -c 'import json, sys; assert {\"a\", \"b\", \"c\"} <= {r[\"name\"] for r in json.load(sys.stdin)}'"
check "tail shows the newest item" sh -c "newswatch tail -n 1 -c $conf | grep -q 'Story c'"

journalctl --sync 2>/dev/null
check "journal: a feed's poll at info priority" journal_has info "feed a: HTTP 200"
check "journal: a failing feed at warning priority" journal_has warning "feed broken:"
check "journal: lines carry no time stamp of their own" \
    sh -c "! journalctl -q --no-pager -u newswatch -o cat | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'"

# A wedged loop: with a short watchdog, SIGSTOP must end in a restart.
mkdir -p /etc/systemd/system/newswatch.service.d
printf '[Service]\nWatchdogSec=2s\nRestartSec=1s\nTimeoutAbortSec=2s\n' \
    >/etc/systemd/system/newswatch.service.d/watchdog-test.conf
systemctl daemon-reload
check "restart with WatchdogSec=2s" systemctl restart newswatch
pid=$(prop MainPID)
sleep 5
check "the daemon pings the watchdog (no restart in 5 s)" test "$(prop NRestarts)" = 0
kill -STOP "$pid"
restarted() { [ "$(prop MainPID)" != "$pid" ] && [ "$(prop MainPID)" != 0 ] &&
    systemctl -q is-active newswatch; }
check "a stopped loop is restarted by the watchdog" wait_for 60 restarted
check "NRestarts counts it: $(prop NRestarts)" test "$(prop NRestarts)" -ge 1
rm -r /etc/systemd/system/newswatch.service.d
systemctl daemon-reload

t0=$(date +%s%N)
check "systemctl stop newswatch returns 0" systemctl stop newswatch
ms=$((($(date +%s%N) - t0) / 1000000))
check "stop took ${ms} ms (under 5 s)" test "$ms" -lt 5000
check "clean exit: Result=$(prop Result), status $(prop ExecMainStatus)" \
    test "$(prop Result)/$(prop ExecMainStatus)" = success/0
check "no file left in $spool/tmp" tmp_empty
check "every item in new/ is complete JSON" python3 -c '
import json, pathlib, sys
for p in pathlib.Path(sys.argv[1]).glob("*.json"):
    json.loads(p.read_text())' "$spool/new"

# remove stops the service and keeps the state, the spool and the
# config; purge removes them, and says so.
if [ "$NWTEST_MODE" = package ]; then
	systemctl start newswatch
	check "apt-get remove newswatch" sh -c \
	    'apt-get remove -y newswatch >/var/lib/nwtest/apt-remove.log 2>&1'
	check "remove stopped the service" sh -c '! systemctl -q is-active newswatch'
	check "remove took the binary" test ! -e /usr/bin/newswatch
	check "remove kept the state" test -s /var/lib/newswatch/state.db
	check "remove kept the items" items_at_least 6
	check "remove kept feeds.yaml" grep -qF c.xml "$conf"
	check "apt-get purge newswatch" sh -c \
	    'apt-get purge -y newswatch >/var/lib/nwtest/apt-purge.log 2>&1'
	check "purge said it removes the state and the spool" sh -c \
	    "grep -qF 'removing /var/lib/newswatch' /var/lib/nwtest/apt-purge.log &&
	    grep -qF 'removing $spool' /var/lib/nwtest/apt-purge.log"
	check "purge removed the state" test ! -e /var/lib/newswatch
	check "purge removed the spool" test ! -e "$spool"
	check "purge removed feeds.yaml" test ! -e "$conf"
	check "the unit is gone" sh -c \
	    '! systemctl list-unit-files newswatch.service | grep -q newswatch'
fi

journalctl -b --no-pager >/var/lib/nwtest/journal.txt 2>&1
echo done >>"$out"
