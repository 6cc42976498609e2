"""What a post is to feed readers beyond its row: the id its Atom entry keeps for good, and when its
text last changed.

jekyll-feed's ``<id>`` was the post's address without its extension (Jekyll's ``post.id``); a feed
reader keys what it has read by that id, so it must outlive any later change of source, slug or
address (or the post comes back unread, twice). An entry's ``<updated>`` is the post's date until
its title or body changes, then the time of that change — not the time it was last imported.
The after-write step keeps both (news/changes/feeds.py).
"""
import hashlib

from django.db import models
from django.utils import timezone

from news.models.bulk import BulkQuerySet
from news.models.posts import Post

HTML_SUFFIX = ".html"


def entry_path(url_path):
    """Jekyll's ``post.id`` of a post at ``url_path``: its address without ``.html``."""
    return url_path.removesuffix(HTML_SUFFIX)


def text_digest(title, body_html):
    return hashlib.blake2b(f"{title}\0{body_html}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class FeedEntryQuerySet(BulkQuerySet):
    def written(self, posts):
        """Keep the entries of ``posts`` (objects with ``pk``, ``url_path``, ``title`` and
        ``body_html``, as written): a new post gets its id from its address now; a post whose title
        or body changed gets the time of the change. Two queries and two bulk writes a batch."""
        posts = {post.pk: post for post in posts if post.pk}
        known = {entry.post_id: entry for entry in self.filter(post_id__in=list(posts))}
        now, new, changed = timezone.now(), [], []
        for pk, post in posts.items():
            digest = text_digest(post.title, post.body_html)
            entry = known.get(pk)
            if entry is None:
                new.append(self.model(post_id=pk, path=entry_path(post.url_path), digest=digest))
            elif entry.digest != digest:
                if entry.digest:  # "": recorded before the text was known (migration 0019)
                    entry.edited_at = now
                entry.digest = digest
                changed.append(entry)
        self.bulk_create(new, ignore_conflicts=True)
        self.bulk_update(changed, ["digest", "edited_at"])

    def settled(self, ids):
        """A post made in the admin gets its address once its categories are known, in the
        request that made it: its entry takes that address (no reader saw the first one)."""
        for pk, url_path in Post.objects.filter(pk__in=ids).values_list("pk", "url_path"):
            self.filter(post_id=pk).update(path=entry_path(url_path))


class FeedEntry(models.Model):
    post = models.OneToOneField(Post, primary_key=True, on_delete=models.CASCADE, related_name="feed_entry",
                                verbose_name="文章")
    path = models.CharField("条目 id（网址路径）", max_length=1000)
    digest = models.CharField("标题和正文的摘要", max_length=32, blank=True)
    edited_at = models.DateTimeField("正文或标题修改于", null=True, blank=True)

    objects = FeedEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "订阅条目"
        verbose_name_plural = "订阅条目"

    def __str__(self):
        return self.path

    def updated(self, published_at):
        """The entry's ``<updated>``: its date, or the later change of its text."""
        return max(published_at, self.edited_at) if self.edited_at else published_at
