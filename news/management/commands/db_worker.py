"""``manage.py db_worker``: django-tasks-db's worker, with the two things production needs of it.

- **A lease** (news/ingest/jobs.py): the worker renews it from a thread; a job whose worker's lease
  lapses (the worker was killed, its machine lost) is put back in the queue by any live worker.
- **It outlives the database.** Where the stock worker exits on the first ``OperationalError``
  (and a hand-run worker stays down), this one waits, reconnects and goes on; a job it could not
  record the end of is put back in the queue.

It replaces the stock command of the same name (``news`` comes before ``django_tasks_db`` in
INSTALLED_APPS), so every way of starting a worker gets both.
"""
import contextlib
import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django_tasks_db.management.commands import db_worker as stock

from news.ingest import jobs

log = logging.getLogger("news.ingest.jobs")
OUTAGE_ERRORS = (OperationalError, InterfaceError)


class Worker(stock.Worker):
    def run(self):
        heartbeat, recovering = None, False
        try:
            while self.running:
                try:
                    jobs.renew(self.worker_id)  # before any claim: a job is never held without a lease
                    if recovering:
                        jobs.requeue_held_by(self.worker_id)
                    jobs.requeue_orphans()
                    if heartbeat is None:
                        heartbeat = jobs.Heartbeat(self.worker_id)
                        heartbeat.start()
                    return super().run()
                except OUTAGE_ERRORS as exc:  # at start-up too: a worker started during an outage waits
                    recovering, self.startup_delay = True, False
                    self.wait_for_database(exc)
        finally:
            if heartbeat is not None:
                heartbeat.stop()
            with contextlib.suppress(DatabaseError, InterfaceError):  # gone with the database: it lapses
                jobs.release(self.worker_id)

    def wait_for_database(self, exc):
        log.warning("数据库不可用（%s），后台任务进程等待它恢复", str(exc).strip()[:200])
        pause = 0.5
        while self.running:
            connection.close()
            try:
                connection.ensure_connection()
                log.warning("数据库已恢复，后台任务继续")
                return
            except OUTAGE_ERRORS:
                time.sleep(pause)  # a production back-off, not a test's wait
                pause = min(pause * 2, 10)


class Command(stock.Command):
    help = "运行后台任务进程（带租约；数据库中断后自动重连）"

    def handle(self, *args, **options):
        original = stock.Worker
        stock.Worker = Worker  # the stock command builds its Worker by this name
        try:
            return super().handle(*args, **options)
        finally:
            stock.Worker = original
