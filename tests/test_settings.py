"""Production mode, checked in a subprocess with the environment an operator would set."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env, check=True):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, check=check)


def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DEBUG="0", SECRET_KEY="x7" * 30 + "-finews-test-only-secret", ALLOWED_HOSTS="news.example.com",
               DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}", STATIC_ROOT=str(tmp_path / "static"))
    return env


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert "no issues" in result.stdout


def test_production_needs_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    env.pop("SECRET_KEY")
    result = manage("check", env=env, check=False)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_the_site_origin_must_be_an_origin(tmp_path):
    env = production_env(tmp_path)
    for bad in ["news.example.com", "https://", "ftp://news.example.com", "https://news.example.com/news/"]:
        result = manage("check", env={**env, "FINEWS_SITE_URL": bad}, check=False)
        assert result.returncode != 0 and "FINEWS_SITE_URL must be the site's origin" in result.stderr, bad
    assert manage("check", env={**env, "FINEWS_SITE_URL": "https://news.example.com:8443"}).returncode == 0


def test_whitenoise_serves_hashed_static_files(tmp_path):
    env = production_env(tmp_path)
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    script = (
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='news.example.com', HTTP_X_FORWARDED_PROTO='https')\n"
        "html = c.get('/', secure=True).content.decode()\n"
        "import re; css = re.search(r'href=\"(/static/css/site\\.[0-9a-f]{12}\\.css)\"', html).group(1)\n"
        "r = c.get(css, secure=True)\n"
        "print('RESULT', css, r.status_code, r.headers.get('Cache-Control'))\n"
    )
    result = manage("shell", "-c", script, env=env)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    _, path, status, cache_control = line.split(maxsplit=3)
    assert status == "200" and "max-age=315360000" in cache_control and "immutable" in cache_control


def test_debug_is_off_unless_set_and_then_a_key_is_required(tmp_path):
    env = production_env(tmp_path)
    for name in ("DEBUG", "SECRET_KEY"):
        env.pop(name)
    result = manage("check", env=env, check=False)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    env["SECRET_KEY"] = "y9" * 30 + "-finews-test-only-secret"
    result = manage("shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)", env=env)
    assert "DEBUG False" in result.stdout


def test_the_cache_folder_in_a_shared_temporary_directory_must_be_the_users_own(tmp_path):
    """Found by review: without Redis on PostgreSQL the page cache's folder is in /tmp under a name
    anyone can work out, and Django's file cache unpickles what it finds there. A folder that others
    may write to is refused at start; a new one is made private."""
    from finews.settings import local_cache_dir

    env = {**production_env(tmp_path), "TMPDIR": str(tmp_path), "REDIS_URL": "",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/finews_cache_owner_check"}
    env.pop("FINEWS_CACHE_DIR", None)
    database = {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": 5432,
                "NAME": "finews_cache_owner_check"}
    folder = Path(local_cache_dir(database, base=str(tmp_path)))
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)  # as if planted by another local user
    result = manage("check", env=env, check=False)
    assert result.returncode != 0 and "不是本用户独有的" in result.stderr and str(folder) in result.stderr
    folder.rmdir()
    assert manage("check", env=env).returncode == 0 and folder.stat().st_mode & 0o777 == 0o700
