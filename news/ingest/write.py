"""Writing a batch of parsed posts through the one write path's bulk methods.

The batch is inserted and updated in bulk (an import writes thousands of posts), but with the same
rules ``Post.save()`` keeps: the link tables fill their sort keys from the posts themselves, and
the batch ends in the same after-write step (search index, legacy addresses, page cache) through
the ``posts_changed`` event news/changes/ receives.
"""
import logging

from django.db import transaction
from django.utils import timezone

from news.dberrors import unreachable
from news.ingest.find import FileOutcome
from news.ingest.parse import CREATED, FAILED, KEPT, UNCHANGED, UPDATED
from news.models import Category, CategoryAlias, LegacyURL, Post, PostCategory, TaggedPost, Tombstone, tags_named, unique_slug
from news.search.tokens import document_text
from news.signals import categories_renamed, posts_changed

logger = logging.getLogger(__name__)

POST_FIELDS = [
    "title", "slug", "published_at", "url_path", "summary", "body_markdown", "body_html",
    "source_url", "status", "content_hash", "extra", "imported_at", "updated_at", "held_at",
    "important",
]
MAX_NAME_CHARS = 200


def category_name_problem(key, name):
    for value in (key, name):
        if len(value) > MAX_NAME_CHARS:
            return f"分类“{value[:40]}…”超过 {MAX_NAME_CHARS} 个字符"
        if "\0" in value:
            return "分类含 NUL 字符"
    return "" if key else "分类键为空"


def ensure_named_categories(names):
    """Categories named by category pages or the names file exist with those names. Returns
    ``{key: problem}`` for the names refused (too long, NUL, empty key); the rest go on."""
    problems = {key: category_name_problem(key, name) for key, name in names.items()}
    problems = {key: problem for key, problem in problems.items() if problem}
    merged = set(CategoryAlias.objects.filter(key__in=list(names)).values_list("key", flat=True))
    good = {key: name for key, name in names.items() if key not in problems and key not in merged}
    existing = {c.key: c for c in Category.objects.filter(key__in=list(good))}
    rename = [c for key, c in existing.items() if c.name != good[key]]
    for category in rename:
        category.name = good[category.key]
    Category.objects.bulk_update(rename, ["name"])
    if rename:
        categories_renamed.send(sender=Category, ids=[c.pk for c in rename])
    create_categories({k: v for k, v in good.items() if k not in existing})
    return problems


def create_categories(names):
    if not names:
        return {}
    taken = set(Category.objects.filter(
        slug__in=[unique_slug(key, set()) for key in names]).values_list("slug", flat=True))
    created = []
    for key, name in names.items():
        slug = unique_slug(key, taken)
        taken.add(slug)
        created.append(Category(key=key, name=name, slug=slug))
    Category.objects.bulk_create(created, ignore_conflicts=True)
    return {c.key: c for c in Category.objects.filter(key__in=list(names))}


def failed(entry, parsed, reason):
    return FileOutcome(entry.label, entry.source_path, FAILED, reason, warnings=parsed.warnings)


class BatchWriter:
    """Stores batches of parsed posts; remembers the URLs taken in this run to report clashes.

    What is not its to write is kept as it is (``KEPT``): a post an editor changed (``held_at``)
    or deleted (a ``Tombstone``), unless the run is forced; through the API, a post another
    token (or an import) created."""

    def __init__(self, names, token=None, force=False, may_publish=True):
        self.names = names
        self.token = token
        self.force = force
        self.may_publish = may_publish and not (token is not None and token.review)
        self.urls_in_run = {}

    def existing(self, source_paths):
        found = {
            row["source_path"]: row
            for row in Post.objects.filter(source_path__in=source_paths)
            .values("id", "source_path", "content_hash", "url_path", "published_at", "held_at", "token_id", "status",
                    "important")
        }
        for path, post_id in Tombstone.objects.filter(source_path__in=source_paths).values_list("source_path", "post_id"):
            found.setdefault(path, {"tombstone": True, "id": post_id})
        return found

    def status_for(self, parsed, row):
        """Draft when the file says so. Otherwise published, unless whoever imports may not
        publish (an editor without ``publish_post``, a token that sends to review): then a new
        post is 待审核, and so is a scheduled one whose new time has come; an unpublished one keeps
        its status; a post awaiting review stays so."""
        if parsed.is_draft:
            return Post.Status.DRAFT
        current = row and row.get("status")
        if current == Post.Status.REVIEW:
            return Post.Status.REVIEW
        if not self.may_publish:
            if current is None or (current == Post.Status.PUBLISHED and row["published_at"] > timezone.now()
                                   >= parsed.published_at):
                return Post.Status.REVIEW  # new, or a scheduled post this file would show at once
            return current
        return Post.Status.PUBLISHED

    def refusal(self, entry, row):
        """The outcome for a file this run may not write, or None."""
        reason = None
        if row is None:
            return None
        if row.get("tombstone") and not self.force:
            reason = "编辑已删除这篇文章，不再导入（import_posts --force 可重新导入）"
        elif self.token is not None and not row.get("tombstone") and row["token_id"] != self.token.pk:
            reason = "这篇文章不是本令牌创建的，不能通过接口更新"
        elif row.get("held_at") and not self.force:
            reason = "编辑修改过这篇文章，保留编辑修改（在后台“交还来源”，或 import_posts --force 覆盖）"
        if reason is None:
            return None
        return FileOutcome(entry.label, entry.source_path, KEPT, reason, url=row.get("url_path"), post_id=row.get("id"))

    def unchanged(self, entry, row):
        self.urls_in_run[row["url_path"]] = entry.source_path
        return FileOutcome(entry.label, entry.source_path, UNCHANGED, url=row["url_path"], post_id=row["id"])

    def write(self, items, existing):
        """Store ``[(entry, ParsedPost), …]`` in one transaction; a batch that fails is retried
        post by post, so one bad post never takes its neighbours down."""
        outcomes, accepted = [], []
        for entry, parsed in items:
            clash = self.urls_in_run.get(parsed.url_path)
            if clash and clash != entry.source_path:
                outcomes.append(failed(entry, parsed, f"网址 {parsed.url_path} 与本次导入的 {clash} 冲突"))
                continue
            self.urls_in_run[parsed.url_path] = entry.source_path
            accepted.append((entry, parsed))
        if not accepted:
            return outcomes
        try:
            with transaction.atomic():
                outcomes.extend(self._store(accepted, existing))
        except Exception as exc:
            if unreachable(exc):
                raise  # the database went away: no post of the batch would fare better; the run stops
            logger.exception("batch write failed; retrying post by post")
            for entry, parsed in accepted:
                try:
                    with transaction.atomic():
                        outcomes.extend(self._store([(entry, parsed)], existing))
                except Exception as exc:
                    if unreachable(exc):
                        raise
                    outcomes.append(failed(entry, parsed, f"写入数据库失败：{exc}"))
        return outcomes

    def _store(self, items, existing):
        outcomes, accepted = [], []
        owners = dict(Post.objects.filter(url_path__in=[p.url_path for _, p in items])
                      .values_list("url_path", "source_path"))
        for entry, parsed in items:
            owner = owners.get(parsed.url_path)
            if owner and owner != entry.source_path:
                outcomes.append(failed(entry, parsed, f"网址 {parsed.url_path} 已属于文章 {owner}（冲突，未合并）"))
            else:
                accepted.append((entry, parsed))
        if not accepted:
            return outcomes
        categories = self._categories([p for _, p in accepted])
        tags = tags_named({tag for _, p in accepted for tag in p.tags})
        now = timezone.now()
        new, changed = [], []
        for entry, parsed in accepted:
            row = existing.get(entry.source_path)
            row = None if row and row.get("tombstone") else row  # forced: made again
            post = Post(id=row["id"] if row else None, source_path=entry.source_path, created_at=now,
                        token=self.token if row is None else None,
                        status=self.status_for(parsed, row),
                        imported_at=now, updated_at=now,
                        **{name: getattr(parsed, name) for name in POST_FIELDS if hasattr(parsed, name)})
            post.important = parsed.important or bool(row and row.get("important"))  # marked stays marked
            (changed if row else new).append((entry, parsed, post, row))
        Post.objects.bulk_create([post for _, _, post, _ in new], batch_size=250)
        Tombstone.objects.filter(source_path__in=[entry.source_path for entry, _, _, _ in new]).delete()
        Post.objects.bulk_update([post for _, _, post, _ in changed], POST_FIELDS, batch_size=250)
        changed_ids = [post.id for _, _, post, _ in changed]
        PostCategory.objects.filter(post_id__in=changed_ids).delete()
        TaggedPost.objects.filter(content_object_id__in=changed_ids).delete()
        category_links, tag_links = [], []
        for entry, parsed, post, row in new + changed:
            wanted = dict.fromkeys(categories[key] for key in parsed.categories)  # merged keys once
            category_links += [PostCategory(post=post, category=c, position=i) for i, c in enumerate(wanted)]
            tag_links += [TaggedPost(content_object=post, tag=tags[name], position=i)
                          for i, name in enumerate(parsed.tags)]
            LegacyURL.objects.point(parsed.legacy_urls, post)
            outcomes.append(FileOutcome(entry.label, entry.source_path, UPDATED if row else CREATED,
                                        url=post.url_path, post_id=post.id, warnings=parsed.warnings))
        PostCategory.objects.bulk_create(category_links, batch_size=500)
        TaggedPost.objects.bulk_create(tag_links, batch_size=500)
        previous = {post.id: {"url_path": row["url_path"], "published_at": row["published_at"]}
                    for _, _, post, row in changed}
        written = [post for _, _, post, _ in new + changed]
        documents = [(post.id, _tokens(parsed, post))
                     for _, parsed, post, _ in new + changed]
        posts_changed.send(sender=Post, ids=[post.id for post in written], posts=written,
                           previous=previous, reindex=True, documents=documents)
        return outcomes

    def _categories(self, parsed_posts):
        keys = {key for parsed in parsed_posts for key in parsed.categories}
        aliases = dict(CategoryAlias.objects.filter(key__in=keys).values_list("key", "category_id"))
        found = {c.key: c for c in Category.objects.filter(key__in=keys)}
        missing = {}
        for parsed in parsed_posts:
            for key in parsed.categories:
                if key not in found and key not in aliases and key not in missing:
                    # A name given (even an empty one, as exported) wins; else the source's tag.
                    missing[key] = self.names[key] if key in self.names else (parsed.tags[0] if parsed.tags else "")
        found.update(create_categories(missing))
        targets = Category.objects.in_bulk(set(aliases.values()))
        found.update({key: targets[target] for key, target in aliases.items()})
        return found


def _tokens(parsed, post):
    """The post's search tokens: as its parse worker joined them, else made here."""
    if parsed.search_tokens is None:
        return document_text(post.title, post.summary, post.body_html)
    return parsed.search_tokens
