"""Where each finews process keeps its Prometheus series, so that ``/metrics`` sums the whole box.

prometheus-client's multiprocess mode keeps every process's series in files in
``PROMETHEUS_MULTIPROC_DIR``, named after an identifier that must differ between processes running
at once; ``/metrics`` (news/metrics.py) sums all the files there. Its default identifier is the
pid, which leaves a new set of files behind every process that ever ran: gunicorn recycles its
workers, and ``import_posts`` may run every minute. So finews names them after a *slot* instead: a
process takes the lowest-numbered slot no running process holds (an exclusive ``flock`` on
``slot-N.lock``, held until it exits), and carries on the counts its slot's earlier owners left.
Every app server, background worker and import on one box that shares the folder is counted, the
counters never go down while the folder lives, and the folder holds as many slots as processes
ever ran at once. A forked child takes a slot of its own on its first count.
"""
import fcntl
import os

_slots = {}  # pid -> slot identifier (a fork's child is another pid)


def _take(folder):
    number = 0
    while True:
        descriptor = os.open(os.path.join(folder, f"slot-{number}.lock"), os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            number += 1
            continue
        return f"s{number}"  # the descriptor stays open: the lock is this process's while it runs


def slot():
    """This process's slot (taken on the first call in each process)."""
    pid = os.getpid()
    if pid not in _slots:
        _slots[pid] = _take(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    return _slots[pid]


def use_slots():
    """Name this process's metric files after its slot, when series are kept in files at all
    (call before any metric is made: settings do)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from prometheus_client import values

    values.ValueClass = values.MultiProcessValue(process_identifier=slot)
