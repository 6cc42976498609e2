"""``import_posts --watch DIR`` as an operator runs it: in its own process, against a database of
its own (SQLite file or throwaway PostgreSQL database, tests/test_import_faults.py's)."""
import signal
import time

import pytest

from .test_import_faults import database, wait_for  # noqa: F401 (fixture)

POST = "---\ntitle: {title}\ndate: 2022-02-17 10:00:00 +0800\ncategories: emnews\n---\n正文"


def titles(db):
    joined = db.scalar("SELECT group_concat(title, '|') FROM news_post" if db.vendor == "sqlite"
                             else "SELECT string_agg(title, '|') FROM news_post")[0]
    return set(joined.split("|")) if joined else set()


def test_a_watched_folder_is_imported_as_it_changes_and_only_once_at_a_time(database, tmp_path):  # noqa: F811
    drop = tmp_path / "drop" / "_posts"
    drop.mkdir(parents=True)
    (drop / "2022-02-17-first.md").write_text(POST.format(title="第一篇"), "utf-8")
    watcher = database.manage("import_posts", "--watch", str(drop.parent), "--interval", "0.3")
    try:
        assert wait_for(lambda: titles(database) == {"第一篇"}, 30)
        (drop / "2022-02-17-second.md").write_text(POST.format(title="第二篇"), "utf-8")
        assert wait_for(lambda: titles(database) == {"第一篇", "第二篇"}, 30)
        time.sleep(0.01)
        (drop / "2022-02-17-first.md").write_text(POST.format(title="第一篇（更正）"), "utf-8")
        assert wait_for(lambda: titles(database) == {"第一篇（更正）", "第二篇"}, 30)

        code, out, err = database.run("import_posts", "--watch", str(drop.parent), timeout=60)
        assert code == 0 and "已有另一个进程在监视" in out, (out, err)
    finally:
        watcher.send_signal(signal.SIGTERM)
        out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, err
    assert "开始监视" in out and "监视已结束" in out


def test_watch_and_paths_are_one_or_the_other(database, tmp_path):  # noqa: F811
    code, out, err = database.run("import_posts", str(tmp_path), "--watch", str(tmp_path))
    assert code != 0 and "二者选一" in err
    code, out, err = database.run("import_posts", "--watch", str(tmp_path / "nope"))
    assert code != 0 and "不是文件夹" in err


@pytest.mark.django_db
def test_a_scan_that_finds_nothing_new_records_nothing(tmp_path):
    from news.ingest.importer import Importer
    from news.ingest.watch import FolderWatcher
    from news.models import ImportRun

    drop = tmp_path / "drop" / "_posts"
    drop.mkdir(parents=True)
    (drop / "2022-02-17-first.md").write_text(POST.format(title="第一篇"), "utf-8")
    watcher = FolderWatcher(drop.parent, Importer(workers=1), interval=0)
    assert watcher.once() is not None and ImportRun.objects.count() == 1
    assert watcher.once() is None and watcher.once() is None  # scans in a row, nothing changed
    assert ImportRun.objects.count() == 1
    (drop / "2022-02-17-first.md").write_text(POST.format(title="第一篇（更正）"), "utf-8")
    assert watcher.once() is not None and ImportRun.objects.count() == 2
