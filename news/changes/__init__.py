"""The after-write step: what follows every change readers could see, whoever made it.

Receivers connected per sender in ``NewsConfig.ready()`` hear every write: ``post_save`` /
``post_delete`` of posts, categories, tags and both link tables, ``m2m_changed`` of the tag and
category relations (so ``post.tags.add()`` and ``category.posts.add()`` count), and the two
explicit events the bulk writers send, :data:`posts_changed` (``QuerySet.update()`` and
``bulk_create`` send no signal of their own) and :data:`categories_renamed`. The step that follows
keeps the search index, feed entries, stories, legacy addresses and the page cache in step (counts are kept by the
database's triggers, news/changes/counting.py; the rules' part is news/changes/ruling.py). This
package is the only one that tells the page cache: it works out which stamps (news/cache/) a
change touches (news/changes/stamps.py) and marks just those stale, now and again when the
transaction commits (a page rebuilt in between from the old rows is not kept).
"""
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from news import search
from news.changes import revisions, ruling
from news.changes.marking import mark
from news.changes.stamps import (
    channel_stamps,
    day_stamps,
    days_changed,
    neighbours,
    post_stamps,
    report_stamps,
    stock_stamps,
)
from news.models import (
    LINK_KEY_FIELDS,
    Category,
    Channel,
    FeedEntry,
    LegacyURL,
    Post,
    PostCategory,
    PostSecurity,
    Security,
    SecurityChoice,
    StoryPost,
    TaggedPost,
    Tombstone,
)
from news.signals import categories_renamed, posts_changed

TEXT_FIELDS = {"title", "summary", "body_html"}  # what the search index reads


# --- the shared step ------------------------------------------------------------------------------
def after_write(posts, previous=None, reindex=True, sync_links=False, documents=None, restory=False):
    """What follows a write of ``posts`` (saved ``Post`` objects), whoever wrote them: the search
    index, legacy addresses, link sort keys and the page cache. ``previous`` maps a post id to
    the ``url_path`` and ``published_at`` it had before; ``documents`` are the posts' search
    tokens where the writer has them already (the importer's parse workers made them). The posts'
    stories are placed again when their text (``reindex``) or their time (``restory``) changed."""
    previous = previous or {}
    ids = {post.pk for post in posts}
    # the securities it names (the links copy its sort keys, as when it moved in time)
    stocks = PostSecurity.objects.extract(posts)[0] if reindex or restory else set()
    # the rules: its channels, and what they mark, tag or hide (before the text is indexed)
    ruled = ruling.apply(posts) if reindex else ruling.Outcome()
    if reindex and documents is not None:
        search.index_documents([document for document in documents if document[0] not in ruled.hidden])
        search.index_posts([post for post in posts if post.pk in ruled.hidden])
    elif reindex:
        search.index_posts(posts)
    others = StoryPost.objects.reports_of(ids)  # their story's other reports show them
    if reindex:  # the text was written: feed entries keep their id and learn of an edit
        FeedEntry.objects.written(posts)
    if reindex or restory:  # ...and its story, as when the post moved in time
        others |= StoryPost.objects.assign(posts) - ids
    if sync_links:
        Post.objects.filter(pk__in=[post.pk for post in posts]).sync_link_keys()
    for post in posts:
        old_url = previous.get(post.pk, {}).get("url_path")
        if old_url and old_url != post.url_path:
            LegacyURL.objects.point([old_url], post)
    LegacyURL.objects.filter(path__in=[post.url_path for post in posts]).delete()  # shadowed now
    earlier = [p["published_at"] for p in previous.values() if p.get("published_at")]
    mark(post_stamps(ids, earlier) | report_stamps(others) | stock_stamps(stocks)
         | channel_stamps(channel_ids=ruled.channels), ids)
    ruling.record(ruled)
    revisions.note(post.pk for post in posts)


def apply_rules(posts, rules=None):
    """The rules in force (or ``rules``) applied again to saved ``posts`` whose text has not
    changed (``manage.py apply_rules``, an edited rule): what they change is marked and, where
    they hid text, reindexed. Returns the ``ruling.Outcome``."""
    ruled = ruling.apply(posts, rules)
    hidden = [post for post in posts if post.pk in ruled.hidden]
    search.index_posts(hidden)
    FeedEntry.objects.written(hidden)  # feed readers learn of the edit
    touched = set(ruled.changed) | ruled.routed
    if touched:
        mark(post_stamps(touched) | channel_stamps(channel_ids=ruled.channels), touched)
        ruling.record(ruled)
        revisions.note(touched)
    return ruled


# --- receivers (connected in NewsConfig.ready()) -------------------------------------------------
def post_saved(sender, instance, created, update_fields=None, **kwargs):
    changed = set(instance.changed_fields()) if not created else None
    loaded = getattr(instance, "_loaded", {})
    previous = {instance.pk: {k: loaded.get(k) for k in ("url_path", "published_at")}} if loaded else None
    after_write(
        [instance], previous,
        reindex=created or not loaded or bool(TEXT_FIELDS & changed),
        sync_links=not created and bool(changed & set(LINK_KEY_FIELDS)),
        restory=not created and "published_at" in changed)


def post_deleting(sender, instance, **kwargs):
    # gone with it afterwards: its story's other reports, the securities it named
    instance._finews_reports = StoryPost.objects.reports_of([instance.pk])
    instance._finews_stocks = stock_stamps(PostSecurity.objects.filter(post=instance).values_list(
        "security_id", flat=True)) | channel_stamps([instance.pk])


def post_deleted(sender, instance, **kwargs):
    # Deleted stays deleted: a later import or scraper re-send does not bring it back.
    Tombstone.objects.update_or_create(source_path=instance.source_path, defaults={
        "post_id": instance.pk, "url_path": instance.url_path, "title": instance.title[:500],
        "deleted_at": timezone.now()})
    revisions.deleted(instance)
    search.remove_posts([instance.pk])
    names = {"site", f"post:{instance.pk}"} | day_stamps([instance.published_at])
    names |= report_stamps(getattr(instance, "_finews_reports", ())) | getattr(instance, "_finews_stocks", set())
    if days_changed([instance.published_at], [instance.pk]):
        names.add("days")
    mark(names, [instance.pk])


def posts_changed_in_bulk(sender, ids, posts=None, previous=None, reindex=False, documents=None, settled=False,
                          securities=(), **kwargs):
    if settled:
        FeedEntry.objects.settled(ids)
    if posts is not None or previous or reindex:
        if posts is None:
            posts = list(Post.objects.filter(pk__in=ids).only(
                "pk", "url_path", "title", "summary", "body_html", "published_at", "status", "important", "source_path"))
        after_write(posts, previous, reindex=reindex, documents=documents)
    else:  # ``securities``: those whose list the change touched (one a post stopped naming too)
        mark(post_stamps(ids) | report_stamps(StoryPost.objects.reports_of(ids)) | stock_stamps(securities), ids)
        revisions.note(ids)


def link_written(sender, instance, **kwargs):
    """A category or tag link saved or deleted one by one (``link.save()``, ``.delete()``,
    ``remove()``, ``clear()``, a cascade)."""
    post_id = instance.__dict__[type(instance).post_attname]
    names = {"site", f"post:{post_id}"}
    names |= day_stamps([instance.published_at])
    if hasattr(instance, "category_id"):
        names |= {f"cat:{instance.category_id}"} | neighbours({instance.category_id: [instance.published_at]})
    else:
        names.add(f"tag:{instance.tag_id}")
    mark(names, [post_id])
    revisions.note([post_id])  # a post deleted with its links has no state left to record
    if kwargs.get("created") and hasattr(instance, "category_id"):
        _rerule([post_id])  # a rule may look at the post's sources


def _rerule(ids):
    """Posts given a source after their text was written (the admin saves a new post, then its
    categories): the rules again, for those that look at sources."""
    posts = list(Post.objects.filter(pk__in=list(ids)).only(*ruling.PREVIEW_FIELDS, "summary", "source_path"))
    if posts:
        apply_rules(posts)


def relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``post.tags.add()``, ``post.categories.add()``, ``category.posts.add()`` (bulk inserts send
    no ``post_save``); removals arrive as link deletes."""
    if action != "post_add" or not pk_set:
        return
    ids = pk_set if reverse else [instance.pk]
    mark(post_stamps(ids), ids)
    revisions.note(ids)
    if sender is PostCategory:
        _rerule(ids)


def category_saved(sender, instance, created, **kwargs):
    mark({"site"} if created else {"site", f"cat:{instance.pk}", f"catname:{instance.pk}"})


def category_deleted(sender, instance, **kwargs):
    mark({"site", f"cat:{instance.pk}", f"catname:{instance.pk}"})


def categories_renamed_in_bulk(sender, ids, **kwargs):
    mark({"site", *(f"cat:{pk}" for pk in ids), *(f"catname:{pk}" for pk in ids)})


def security_written(sender, instance, **kwargs):
    """A security renamed (or made, or deleted) by an editor: its page, the directory and the
    articles that name it without a name of their own."""
    mark({"site", f"stock:{instance.pk}", f"stockname:{instance.pk}"})


def security_chosen(sender, instance, origin=None, **kwargs):
    """An editor added a security to a post or took one off it (or undid that): the post's links
    again, its lists and article, the stock pages that gained or lost it, a revision. A choice
    deleted with its post or its security goes with them (their own receivers follow)."""
    if origin is not None and getattr(origin, "model", type(origin)) is not SecurityChoice:
        return
    post = Post.objects.filter(pk=instance.post_id).only("pk", "title", "body_html", *LINK_KEY_FIELDS).first()
    if post is None:  # deleted with its post
        return
    stocks = PostSecurity.objects.extract([post])[0]
    mark(post_stamps([post.pk]) | stock_stamps(stocks), [post.pk])
    revisions.note([post.pk], chosen=True)
    _rerule([post.pk])  # a rule may look at the markets of what it names


def channel_written(sender, instance, **kwargs):
    """A channel made, renamed, reordered or deleted: its page, the tabs and lists of channels."""
    mark({"site", "channels", f"channel:{instance.pk}"})


def tag_written(sender, instance, **kwargs):
    mark({"site", f"tag:{instance.pk}", f"tagname:{instance.pk}"})


def connect():
    """Connect every receiver to its sender (called once, from ``NewsConfig.ready()``)."""
    from taggit.models import Tag


    def on(signal, receiver, sender):
        signal.connect(receiver, sender=sender, dispatch_uid=f"finews:{receiver.__name__}:{sender.__name__}")

    on(post_save, post_saved, Post)
    on(pre_delete, post_deleting, Post)
    on(post_delete, post_deleted, Post)
    on(posts_changed, posts_changed_in_bulk, Post)
    for link in (PostCategory, TaggedPost):
        on(post_save, link_written, link)
        on(post_delete, link_written, link)
        on(m2m_changed, relation_changed, link)
    on(post_save, category_saved, Category)
    on(post_delete, category_deleted, Category)
    on(categories_renamed, categories_renamed_in_bulk, Category)
    on(post_save, security_written, Security)
    on(post_delete, security_written, Security)
    on(post_save, security_chosen, SecurityChoice)
    on(post_delete, security_chosen, SecurityChoice)
    on(post_save, channel_written, Channel)
    on(post_delete, channel_written, Channel)
    on(post_save, tag_written, Tag)
    on(post_delete, tag_written, Tag)
