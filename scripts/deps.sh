#!/bin/sh
# Install the Debian 12 packages newswatch needs, when they are missing:
#   scripts/deps.sh                 to build and run it (make run): a
#                                   compiler and the libraries' -dev packages
#   scripts/deps.sh --test [PKG...] and to test it (make test): the servers,
#                                   tools and checkers the tests use, and
#                                   the packages named (make bench: the peers)
# Quiet and quick when everything is there.
#
# The tests start their own PostgreSQL, Redis and nginx, so no service a
# package brings along is started here or left enabled at boot: a
# policy-rc.d forbids starts during the install, and each systemd unit of a
# package this run installed is disabled again.  Packages installed before
# are left as they were.
set -e
PKGS="gcc make pkg-config libev-dev libcurl4-openssl-dev libxml2-dev libyaml-dev
libsqlite3-dev libjansson-dev libsystemd-dev libpq-dev libhiredis-dev
libmicrohttpd-dev libssl-dev zlib1g-dev libzstd-dev"
if [ "${1-}" = --test ]; then
	shift
	PKGS="$PKGS $* time libcmocka-dev python3 sqlite3 postgresql
valgrind clang libclang-rt-14-dev python3-brotli openssl python3-feedparser sfeed
debootstrap systemd-container mandoc groff-base redis-server prometheus
dpkg-dev debhelper fakeroot lintian"
fi

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps: need root (or sudo) to install:$missing" >&2
		exit 1
	}
	SUDO=sudo
fi

installed() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | sed -n 's/^ii  *//p' | sort
}
before=$(mktemp)
trap 'rm -f "$before"' EXIT
installed >"$before"

# An existing policy-rc.d (a container's) already says no, and stays.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# scripts/deps.sh: no service starts while it installs\nexit 101\n' |
	    $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	trap 'rm -f "$before"; $SUDO rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

command -v systemctl >/dev/null 2>&1 || exit 0
# A unit the install left enabled at boot; aliases and static units are
# no business of ours.
installed | comm -13 "$before" - | while read -r p; do
	dpkg-query -L "$p" |
	    sed -En 's|^/(usr/)?lib/systemd/system/([^/@]+\.(service\|socket\|timer))$|\2|p'
done | sort -u | while read -r u; do
	[ "$(systemctl is-enabled "$u" 2>/dev/null)" = enabled ] || continue
	echo "deps: disabling $u at boot (the tests start their own servers)" >&2
	$SUDO systemctl disable --quiet "$u" ||
	    echo "deps: could not disable $u: it may start at boot" >&2
done
