#!/bin/sh
# Install the Debian 12 packages newswatch needs to build and test, when
# they are missing, and those named as arguments (`make bench`: the peers).
# Quiet and quick when everything is there.
set -e
PKGS="$* time gcc make pkg-config libev-dev libcurl4-openssl-dev libxml2-dev libyaml-dev
libsqlite3-dev libjansson-dev libsystemd-dev libcmocka-dev python3 sqlite3
libpq-dev postgresql
valgrind clang libclang-rt-14-dev python3-brotli openssl python3-feedparser sfeed
debootstrap systemd-container mandoc groff-base libhiredis-dev redis-server
dpkg-dev debhelper fakeroot lintian"

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
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
