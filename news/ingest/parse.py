"""Parsing post files, in this process or in a few worker processes, never raising.

Workers are started fresh (``spawn``: nothing inherited, no database connection among them) and
die with the process that started them, however it dies, so a killed import leaves no worker
behind holding locks. The workers never set Django up: they parse (news/jekyll/), tokenise
for the search index (news/search/tokens.py), sign for stories (news/stories/) and find the
securities named (news/securities/), pure code all.
"""
import ctypes
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

from news import securities, stories
from news.jekyll import PostError, parse_post
from news.jekyll.post import NotAPost, ParsedPost
from news.search.tokens import document_text

CREATED, UPDATED, UNCHANGED, FAILED, SKIPPED = "created", "updated", "unchanged", "failed", "skipped"
KEPT = "kept"  # not written: an editor changed or deleted the post, or another token owns it
OUTCOME_LABELS = {
    CREATED: "新建", UPDATED: "更新", UNCHANGED: "未变", FAILED: "失败", SKIPPED: "跳过", KEPT: "保留编辑修改",
}
PR_SET_PDEATHSIG = 1


@dataclass
class Parsed:
    """What parsing one file gave: the post, or the outcome (failed or skipped) and why."""

    post: ParsedPost = None
    outcome: str = ""
    reason: str = ""


class OverBudget(BaseException):
    """Parsing one post took longer than the per-post time budget (a BaseException, so no
    ``except Exception`` in the parser turns it into another reason)."""


@contextmanager
def time_budget(seconds):
    """Raise OverBudget in the code inside once ``seconds`` of wall time pass (SIGALRM: in a
    process's main thread, where the import command, the parse workers, a gunicorn worker's
    request and the job worker run; elsewhere, e.g. a threaded development server, no budget).
    Not nested: it owns the process's real-time timer while it runs. Code in C (nh3) is cut short
    when it returns to Python; the sanitiser is linear, so that is soon."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    state = {"armed": True, "fired": False}

    def expired(signum, frame):
        if state["armed"]:  # an alarm that lands after the block ended does nothing
            state["fired"] = True
            raise OverBudget

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if state["fired"]:  # raised where it was swallowed (inside a finaliser the collector ran): over anyway
        raise OverBudget


def parse_one(source_path, data, old_hosts, digest, budget=None):
    """One file's outcome, within ``budget`` seconds (every path parses through here: folders,
    zips, the admin's uploads, the API, the watched folder)."""
    try:
        with time_budget(budget):
            post = parse_post(source_path, data, old_hosts=old_hosts, digest=digest)
            # one string, not a list of thousands: cheaper to send back and to hold
            post.search_tokens = document_text(post.title, post.summary, post.body_html)
            post.story = stories.signature(post.title, post.body_html)  # its story's keys, in parallel
            post.securities = securities.extract(post.title, post.body_html)  # and the securities it names
        return Parsed(post=post)
    except OverBudget:
        return Parsed(outcome=FAILED, reason=f"解析用时超过 {budget:g} 秒的上限，已放弃这篇（文件可能是恶意构造的）")
    except NotAPost as exc:
        return Parsed(outcome=SKIPPED, reason=str(exc))
    except PostError as exc:
        return Parsed(outcome=FAILED, reason=str(exc))
    except Exception as exc:  # a parser bug must not kill the run: report it per file
        return Parsed(outcome=FAILED, reason=f"解析出错：{exc.__class__.__name__}: {exc}")


def parse_chunk(items, old_hosts, budget=None):
    return [parse_one(path, data, old_hosts, digest, budget) for path, data, digest in items]


@contextmanager
def signals_held():
    """Hold off Ctrl-C and SIGTERM for a moment (main thread only): they take effect when the
    block ends, never half-way through the executor's or the record's bookkeeping."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _die_with(parent):
    """Worker start-up: ask the kernel to kill this worker when its parent dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pipe closing still ends the worker
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


@dataclass
class Pending:
    """Parse results: already ``done``, or still being computed by ``futures`` (one per chunk)."""

    done: list = None
    futures: list = None
    remembered: bool = False

    def results(self):
        if self.done is None:
            self.done = [result for future in self.futures for result in future.result()]
        if not self.remembered:  # for the after-write step in this process: signatures, securities
            self.remembered = True
            for result in self.done:
                post = result.post
                if post is not None and post.story is not None:
                    stories.remember(post.title, post.body_html, post.story)
                if post is not None and post.securities is not None:
                    securities.remember(post.title, post.body_html, post.securities)
        return self.done


class Parser:
    """Parses batches; with ``workers`` > 1 and enough files, in a pool of fresh processes."""

    def __init__(self, workers, old_hosts, min_for_pool=200, budget=None):
        self.workers = workers
        self.old_hosts = old_hosts
        self.budget = budget  # seconds per post
        self.min_for_pool = min_for_pool
        self.pool = None

    def start(self, count):
        if self.workers > 1 and count >= self.min_for_pool:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=get_context("spawn"),
                initializer=_die_with, initargs=(os.getpid(),))

    def submit(self, items):
        """Start parsing ``[(source_path, data, digest), …]``; the Pending it returns waits for
        the ``Parsed`` results, in order."""
        if self.pool is None or len(items) < 2 * self.workers:
            return Pending(done=parse_chunk(items, self.old_hosts, self.budget))
        size = max(10, -(-len(items) // (self.workers * 8)))
        with signals_held():
            return Pending(futures=[self.pool.submit(parse_chunk, items[i : i + size], self.old_hosts, self.budget)
                                    for i in range(0, len(items), size)])

    def close(self):
        """Wait for the workers to finish and stop them."""
        if self.pool is not None:
            with signals_held():
                self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
