"""Servers the live tests own: a private ``redis-server`` on a free loopback port (never the
machine's Redis), and finews under gunicorn on a throwaway SQLite file, with an HTTP client."""
import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


class PrivateRedis:
    """``redis-server`` on a free port with no persistence, stopped (and gone) afterwards."""

    available = shutil.which("redis-server") is not None

    def __init__(self, *options):
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def pause(self):
        """Hang it, keeping its data (a network blip, not a restart)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def client(self):
        import redis

        return redis.Redis(port=self.port)

    def stop(self):
        self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)


class Site:
    """finews on a SQLite file under gunicorn (two workers), caching in ``redis_url``."""

    def __init__(self, workdir, redis_url, **env):
        self.env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{workdir / 'live.sqlite3'}",
                    "REDIS_URL": redis_url, "CONN_MAX_AGE": "0", **env}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = self.worker = None

    def manage(self, *args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                              capture_output=True, text=True)
        return done.stdout

    def shell(self, code):
        return self.manage("shell", "-c", code)

    def start_worker(self, log=None):
        """The background-job worker, as production runs it (its output into ``log``, a path)."""
        output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child holds it)
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
             "--queue-name", "*"], cwd=ROOT, env=self.env, stdout=output, stderr=output)
        if log:
            output.close()
        return self.worker

    def start(self):
        self.manage("migrate", "--noinput")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "finews.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        return self

    def stop(self):
        for process in (self.server, self.worker):
            if process:
                process.terminate()
                process.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A reader or an editor over HTTP, keeping cookies; answers are ``(status, text, headers)``."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path, data=None, headers=None):
        url = self.base + urllib.parse.quote(path, safe="/?=&:%")
        try:
            response = self.opener.open(urllib.request.Request(url, data, headers or {}), timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return response.status, response.read().decode(errors="replace"), response.headers

    def get(self, path, **headers):
        return self.request(path, headers=headers)

    def post(self, path, fields):
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}, doseq=True).encode()
        return self.request(path, body, {"Referer": self.base + path})

    def upload(self, path, field, name, data, fields=None):
        """POST a file as a browser's multipart form does."""
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in {**(fields or {}), "csrfmiddlewaretoken": token}.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(path, body, {"Referer": self.base + path,
                                         "Content-Type": f"multipart/form-data; boundary={boundary}"})

    def login(self, username, password):
        self.get("/admin/login/")
        status, _, _ = self.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
        assert status == 302, "login failed"


def within(seconds, check):
    """Poll ``check`` until it holds or ``seconds`` pass (a bounded wait for another process)."""
    deadline = time.monotonic() + seconds
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
