"""A throw-away PostgreSQL server for the tests: Debian's postgresql
package, initialised in a temporary directory, run as an unprivileged user
(initdb refuses root) on 127.0.0.1 and a free port, removed at stop.
Not a test module itself."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

PG_BINDIRS = ["/usr/lib/postgresql/%d/bin" % v for v in range(20, 12, -1)]


def bindir():
    """The newest installed server's binaries, or None."""
    for d in PG_BINDIRS:
        if os.access(os.path.join(d, "initdb"), os.X_OK):
            return d
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """start() runs the server; url(db) is a conninfo URL for database db
    (created by createdb(db)); stop() ends it and removes its files."""

    def __init__(self):
        self.bin = bindir()
        self.dir = None
        self.port = None
        self.user = None

    def skip_reason(self):
        if self.bin is None:
            return "PostgreSQL server not installed (Debian package postgresql)"
        return None

    def _run_as(self):
        """Keyword arguments that run a command as the unprivileged user
        when we are root."""
        if os.geteuid() != 0:
            return {}
        return {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid}

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="nw-pg.")
        data = os.path.join(self.dir, "data")
        if os.geteuid() == 0:
            self.user = "nobody"
            os.chown(self.dir, pwd.getpwnam(self.user).pw_uid,
                     pwd.getpwnam(self.user).pw_gid)
        self.port = free_port()
        kw = self._run_as()
        subprocess.run([os.path.join(self.bin, "initdb"), "-D", data, "-U", "nw",
                        "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, cwd=self.dir, **kw)
        self._pg_ctl("start").check_returncode()
        return self

    def _pg_ctl(self, action):
        data = os.path.join(self.dir, "data")
        if action == "stop":
            args = ["-m", "immediate", "-w", "stop"]
        else:
            # fsync off: the tests kill newswatch, never the machine.
            args = ["-w", "-t", "60", "-l", os.path.join(self.dir, "server.log"), "-o",
                    "-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=''"
                    " -c fsync=off -c max_connections=100" % self.port, "start"]
        return subprocess.run([os.path.join(self.bin, "pg_ctl"), "-D", data] + args,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              cwd=self.dir, **self._run_as())

    def restart(self):
        """Stop the server at once (connections cut, as in a crash) and
        start it again on the same port and data."""
        self._pg_ctl("stop").check_returncode()
        self._pg_ctl("start").check_returncode()

    def url(self, db="postgres"):
        return "postgresql://nw@127.0.0.1:%d/%s" % (self.port, db)

    def psql(self, sql, db="postgres"):
        """Run sql through psql; the rows as lists of strings."""
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t",
                              "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def createdb(self, name):
        self.psql('CREATE DATABASE "%s"' % name)
        return self.url(name)

    def stop(self):
        if self.dir is None:
            return
        if os.path.exists(os.path.join(self.dir, "data", "postmaster.pid")):
            self._pg_ctl("stop")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


if __name__ == "__main__":
    s = PgServer()
    if s.skip_reason():
        raise SystemExit(s.skip_reason())
    s.start()
    t = time.monotonic()
    print(s.createdb("probe"), s.psql("SELECT 1"), "%.2f s" % (time.monotonic() - t))
    s.stop()
