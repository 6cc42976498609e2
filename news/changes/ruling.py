"""The rules' part of the after-write step: whenever a post's text is written (import, API,
watched folder, admin, ORM) the rules in force decide its channels, and may mark it 重要, send it
to 待审核, add a tag or hide text (news/rules/ decides; this module writes what was decided).

What an editor set by hand (``RuleHold``: 重要, the status, the tags) no rule changes. A rule's
effects are a revision of their own, with the rules as the actor: the writer's state is recorded
first, then the rules'. A rule that overruns its time budget is stopped (``Rule.stopped`` says
why) and the write goes on without it.
"""
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from news.changes import revisions
from news.models import Post, PostCategory, PostChannel, PostSecurity, Rule, RuleHold, TaggedPost, tags_named
from news.rules import Ruleset, hide, hide_text
from news.sanitize import sanitize_html
from news.text import text_of_html

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    channels: set = field(default_factory=set)  # channels whose list gained or lost a post
    routed: set = field(default_factory=set)  # posts whose channels changed
    hidden: set = field(default_factory=set)  # posts whose body lost hidden text
    changed: dict = field(default_factory=dict)  # post id -> names of the rules that changed it


def ruleset():
    return Rule.objects.ruleset(settings.FINEWS_RULE_BUDGET_MS / 1000)


def decide(posts, rules):
    """``{post id: Decision}`` for saved ``posts`` (title and body loaded): their sources and the
    markets of the securities they name read in two queries."""
    ids = [post.pk for post in posts]
    sources, markets = {}, {}
    for post_id, category_id in PostCategory.objects.filter(post_id__in=ids).values_list("post_id", "category_id"):
        sources.setdefault(post_id, set()).add(category_id)
    for post_id, market in PostSecurity.objects.filter(post_id__in=ids).values_list("post_id", "security__market"):
        markets.setdefault(post_id, set()).add(market)
    return {post.pk: rules.decide(post.title, text_of_html(post.body_html or ""), sources.get(post.pk, ()),
                                  markets.get(post.pk, ())) for post in posts}


def apply(posts, rules=None):
    """Apply the rules to saved ``posts`` (title, body, status and 重要 loaded); the objects are
    updated to what was stored. Returns an ``Outcome``."""
    posts = [post for post in posts if post.pk]
    outcome = Outcome()
    if not posts:
        return outcome
    rules = ruleset() if rules is None else rules
    decisions = decide(posts, rules) if rules.rules else {post.pk: None for post in posts}
    outcome.channels, outcome.routed = PostChannel.objects.route(
        {post: decisions[post.pk].channels if decisions[post.pk] else [] for post in posts})
    effects = _effects(posts, decisions)
    if effects:
        _write(posts, effects, rules, outcome)
    if rules.stopped:
        _stop(rules.stopped)
    return outcome


def _effects(posts, decisions):
    """``{post: {field: value}}``: what the rules change on each post, minus what an editor holds."""
    acting = [post for post in posts if decisions[post.pk] and (
        decisions[post.pk].important or decisions[post.pk].review or decisions[post.pk].tags or decisions[post.pk].hiders)]
    if not acting:
        return {}
    held = {post.pk: set(getattr(post, "held_against_rules", ())) for post in acting}  # what this very save holds
    for post_id, what in RuleHold.objects.filter(post_id__in=[post.pk for post in acting]).values_list("post_id", "what"):
        held[post_id].add(what)
    tagged = {}
    if any(decisions[post.pk].tags for post in acting):
        for post_id, name in Post.tags.through.objects.filter(content_object_id__in=[post.pk for post in acting]).values_list(
                "content_object_id", "tag__name"):
            tagged.setdefault(post_id, set()).add(name)
    effects = {}
    for post in acting:
        decision, holds, wanted = decisions[post.pk], held.get(post.pk, set()), {}
        if decision.important and not post.important and "important" not in holds:
            wanted["important"] = True
        if decision.review and post.status == Post.Status.PUBLISHED and "status" not in holds:
            wanted["status"] = Post.Status.REVIEW
        tags = [tag for tag in decision.tags if tag not in tagged.get(post.pk, set())]
        if tags and "tags" not in holds:
            wanted["tags"] = tags
        if decision.hiders:
            body = hide(post.body_html, decision.hiders)
            if body != post.body_html:
                wanted["body_html"] = sanitize_html(body)
            summary = hide_text(post.summary, decision.hiders)  # the lead feeds and search show
            if summary != post.summary:
                wanted["summary"] = " ".join(summary.split())
        if wanted:
            effects[post] = (wanted, decision.rules)
    return effects


def _write(posts, effects, rules, outcome):
    names = {rule.key: rule.name for rule in rules.rules}
    revisions.record([post.pk for post in effects], revisions.current())  # the writer's, before the rules
    with transaction.atomic():
        for name in ("important", "status"):  # one statement for each
            ids = [post.pk for post, (wanted, _) in effects.items() if name in wanted]
            if ids:
                Post.objects.filter(pk__in=ids).update(**{name: _VALUES[name]})
        reviewed = [post.pk for post, (wanted, _) in effects.items() if "status" in wanted]
        if reviewed:
            Post.objects.filter(pk__in=reviewed).sync_link_keys()
        hidden = [post for post, (wanted, _) in effects.items() if "body_html" in wanted or "summary" in wanted]
        for post in effects:
            for name, value in effects[post][0].items():
                if name != "tags":
                    setattr(post, name, value)
        Post.objects.bulk_update(hidden, ["body_html", "summary"], batch_size=500)
        _tag({post: wanted["tags"] for post, (wanted, _) in effects.items() if "tags" in wanted})
    outcome.hidden = {post.pk for post in hidden}
    for post, (_, keys) in effects.items():
        outcome.changed[post.pk] = [names[key] for key in keys]


def _tag(wanted):
    """Add the tags ``{post: [names]}`` after each post's others, in one insert (the after-write
    step this runs in marks the tags' pages)."""
    if not wanted:
        return
    tags = tags_named({name for names in wanted.values() for name in names})
    TaggedPost.objects.bulk_create([TaggedPost(content_object=post, tag=tags[name]) for post, names in wanted.items()
                                    for name in names], batch_size=500)


def record(outcome):
    """The rules' revision of each post they changed, as the rules that matched it (once the rest
    of the after-write step has placed it: its story, its links)."""
    by_rules = {}
    for pk, applied in outcome.changed.items():
        by_rules.setdefault("、".join(applied), []).append(pk)
    for applied, changed in by_rules.items():
        revisions.record(changed, {"action": f"规则：{applied}"[:100], "user": None, "token": None, "run": None})


_VALUES = {"important": True, "status": Post.Status.REVIEW}


def _stop(stopped):
    for key, reason in stopped.items():
        log.warning("规则 #%s 已停用：%s", key, reason)
        Rule.objects.filter(pk=key).update(stopped=reason)


# --- what a rule would do -----------------------------------------------------------------------
PREVIEW_FIELDS = ("pk", "title", "summary", "body_html", "status", "important", "url_path", "published_at")


def preview(rule, posts, examples=10):
    """What ``rule`` (a ``news.rules.Rule``), alone, would do to ``posts`` (a queryset), read in
    batches: ``{"posts", "matched", "changed", "channel", "important", "review", "tags", "hide"}``
    counts, the first ``examples`` changed posts ``(title, address, [what])``, and why it would be
    stopped, if it would. The same decisions and holds as applying it (``apply``)."""
    rules = Ruleset([rule], settings.FINEWS_RULE_BUDGET_MS / 1000)
    counts = dict.fromkeys(("posts", "matched", "changed", "channel", "important", "review", "tags", "hide"), 0)
    shown = []
    last = 0
    while True:
        batch = list(posts.filter(pk__gt=last).order_by("pk").only(*PREVIEW_FIELDS)[:500])
        if not batch:
            break
        last = batch[-1].pk
        decisions = decide(batch, rules)
        effects = _effects(batch, decisions)
        placed = set(PostChannel.objects.filter(post_id__in=[post.pk for post in batch], channel_id=rule.channel)
                     .values_list("post_id", flat=True)) if rule.channel else set()
        for post in batch:
            counts["posts"] += 1
            if not decisions[post.pk].rules:
                continue
            counts["matched"] += 1
            wanted = effects.get(post, ({}, ()))[0]
            would = []
            for key, label, yes in (
                    ("channel", "放入频道", rule.channel and post.pk not in placed),
                    ("important", "标为重要", "important" in wanted),
                    ("review", "送待审核", "status" in wanted), ("tags", "加标签", "tags" in wanted),
                    ("hide", "隐藏文字", "body_html" in wanted or "summary" in wanted)):
                if yes:
                    counts[key] += 1
                    would.append(label)
            if would:
                counts["changed"] += 1
                if len(shown) < examples:
                    shown.append((post.title, post.url_path, would))
    return {"counts": counts, "examples": shown, "stopped": rules.stopped.get(rule.key, "")}
