"""Start finews as production runs it, on loopback ports: two gunicorn app servers, one
background-job worker and nginx in front, against the PostgreSQL and Redis given in the
environment (DATABASE_URL, REDIS_URL; SECRET_KEY and ALLOWED_HOSTS too).

    DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/12 SECRET_KEY=… \\
      .venv/bin/python tests/cluster.py [--port 8080] [--workdir /tmp/finews-cluster]

It migrates and collects static files first, prints the addresses, and stops everything on
Ctrl-C or SIGTERM. tests/test_cluster.py drives it.
"""
import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def write_nginx_conf(nginx_dir, listen, app_ports, push_port, static_root, redis_url=None):
    """deploy/nginx.conf.in filled in, in ``nginx_dir`` (nginx's prefix)."""
    nginx_dir.mkdir(parents=True, exist_ok=True)
    conf = (ROOT / "deploy" / "nginx.conf.in").read_text().format(
        listen=listen, server_names="127.0.0.1 localhost", prefix=nginx_dir, cache_dir=nginx_dir / "cache",
        static_root=static_root, push_listen=f"127.0.0.1:{push_port}",
        # without a store the upstream is unused: a dead address, never the machine's Redis
        push_redis=redis_url or "redis://127.0.0.1:1", push_store="nchan_redis_pass finews_push;" if redis_url else "",
        streams_per_address=20000,
        upstreams="\n        ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in app_ports))
    (nginx_dir / "nginx.conf").write_text(conf)


def start_nginx(nginx_dir):
    return subprocess.Popen(["nginx", "-c", str(nginx_dir / "nginx.conf"), "-p", str(nginx_dir),
                             "-g", "daemon off; user root;"], start_new_session=True)


class Cluster:
    def __init__(self, workdir, port=None, env=None, access_log=""):
        self.workdir = Path(workdir)
        self.env = {**os.environ, **(env or {}), "DEBUG": "0", "FINEWS_WEB_WORKERS": "2", "FINEWS_ACCESS_LOG": access_log,
                    "STATIC_ROOT": str(self.workdir / "static")}
        self.port = port or free_port()
        self.app_ports = [free_port(), free_port()]
        self.push_port = free_port()
        self.env["FINEWS_PUSH_URL"] = f"http://127.0.0.1:{self.push_port}/pub/"
        self.processes = {}

    def manage(self, *args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def start(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        for name, port in zip(("app-a", "app-b"), self.app_ports, strict=True):
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "finews.wsgi"],
                cwd=ROOT, env={**self.env, "FINEWS_BIND": f"127.0.0.1:{port}"}, start_new_session=True)
        self.processes["worker"] = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
             "--queue-name", "*"], cwd=ROOT, env=self.env, start_new_session=True)
        self.start_nginx()
        for name, port in (("app-a", self.app_ports[0]), ("app-b", self.app_ports[1]), ("nginx", self.port)):
            wait_for_port(port, self.processes[name])
        return self

    def start_nginx(self):
        """nginx in front (again, after ``kill("nginx")``), nchan keeping messages in Redis."""
        nginx_dir = self.workdir / "nginx"
        write_nginx_conf(nginx_dir, listen=f"127.0.0.1:{self.port}", app_ports=self.app_ports, push_port=self.push_port,
                         static_root=self.workdir / "static", redis_url=self.env.get("REDIS_URL"))
        self.processes["nginx"] = start_nginx(nginx_dir)
        wait_for_port(self.port, self.processes["nginx"])

    def url(self, which="nginx"):
        port = {"nginx": self.port, "app-a": self.app_ports[0], "app-b": self.app_ports[1]}[which]
        return f"http://127.0.0.1:{port}"

    def kill(self, name, sig=signal.SIGKILL):
        """Stop one part (its whole process group: gunicorn's master and workers)."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop(self):
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)


def _stop(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    cluster = Cluster(args.workdir or tempfile.mkdtemp(prefix="finews-cluster-"), port=args.port).start()
    print(f"nginx {cluster.url()}  app servers {cluster.url('app-a')} {cluster.url('app-b')}  worker running")
    signal.signal(signal.SIGTERM, _stop)
    try:
        while all(process.poll() is None for process in cluster.processes.values()):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
