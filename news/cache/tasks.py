"""The page cache's one job: marking every page stale once the cache answers again."""
import datetime
import logging

from django.utils import timezone
from django_tasks import task

from news import cache as page_cache

log = logging.getLogger("news.cache")


@task()
def mark_everything_stale():
    """A writer could not reach the cache to mark the pages its change made stale: as soon as the
    cache answers, every cached page is marked stale (and rebuilt on its next request). Until
    then the job asks again every two seconds."""
    if page_cache.mark_stale([page_cache.EPOCH]):
        log.warning("缓存恢复：停机期间的修改已使所有缓存页面失效")
        return
    mark_everything_stale.using(run_after=timezone.now() + datetime.timedelta(seconds=2)).enqueue()
