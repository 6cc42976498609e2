"""An export that runs out of disk (issue 33, item 5): a clear Chinese message, no partial zip, no
empty or half-written post file, and the next run, given room, completes the folder."""
import io
import os
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from .test_export import tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KB tmpfs of the test's own (root only), unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small file system needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("this machine does not let the tests mount a tmpfs")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def export(*args):
    call_command("export_jekyll", *args, "--quiet", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_zip_on_a_full_disk_says_so_and_leaves_nothing(corpus_dir, small_disk):
    call_command("import_posts", str(corpus_dir), "--quiet", stdout=io.StringIO())
    with pytest.raises(CommandError, match="导出没有完成：磁盘空间不足.*没有留下不完整的压缩包"):
        export("--zip", str(small_disk / "site.zip"))
    assert list(small_disk.iterdir()) == []


def test_a_folder_on_a_full_disk_keeps_whole_files_only_and_the_next_run_completes(corpus_dir, small_disk, tmp_path):
    call_command("import_posts", str(corpus_dir), "--quiet", stdout=io.StringIO())
    with pytest.raises(CommandError, match="导出没有完成：磁盘空间不足.*没有写了一半的文件"):
        export(str(small_disk / "site"))
    files = [path for path in (small_disk / "site").rglob("*") if path.is_file()]
    assert files and all(path.stat().st_size > 0 for path in files)
    assert not [path for path in files if path.name.startswith(".finews-partial")]
    export(str(tmp_path / "whole"))
    whole = tree(tmp_path / "whole")
    assert all(whole[path.relative_to(small_disk / "site").as_posix()] == path.read_bytes() for path in files)

    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
    export(str(small_disk / "site"))
    assert tree(small_disk / "site") == whole
