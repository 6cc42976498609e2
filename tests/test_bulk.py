"""news/models/bulk.py: the import's ``bulk_create`` stores exactly what Django's own stores.

Each case inserts the same objects twice — once through the tables' querysets (the fast path) and
once through Django's own ``QuerySet.bulk_create`` — and compares the rows read back."""
import datetime

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext

from news.jekyll.dates import SITE_TZ
from news.models import FeedEntry, IngestToken, Post, PostCategory, Revision, Story, StoryPost
from tests import factories

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2024, 3, 5, 9, 30, 15, 123456, tzinfo=SITE_TZ)
COMPARED = ["title", "slug", "published_at", "url_path", "summary", "body_markdown", "body_html", "source_url",
            "status", "important", "token_id", "held_at", "content_hash", "extra", "imported_at"]


def posts(prefix, token):
    return [
        Post(title=f"标题{n}\u3000“引号”'", slug=f"{prefix}{n}", published_at=WHEN + datetime.timedelta(minutes=n),
             url_path=f"/{prefix}/{n}.html", source_path=f"_posts/{prefix}-{n}.md", body_markdown="正文\n" * n,
             body_html=f"<p>正文{n}</p>", source_url="https://example.com/a?b=1&c=2" if n % 2 else "",
             status=Post.Status.REVIEW if n % 3 else Post.Status.PUBLISHED, important=bool(n % 2),
             token=token if n % 2 else None, held_at=WHEN if n == 2 else None, content_hash="ab" * 32,
             extra={"作者": ["甲", n], "nested": {"ok": True, "none": None}}, imported_at=WHEN)
        for n in range(1, 8)]


def rows(objs):
    return [{name: getattr(Post.objects.get(pk=obj.pk), name) for name in COMPARED} for obj in objs]


def test_posts_are_stored_as_djangos_own_bulk_create_stores_them():
    token = IngestToken.objects.create(name="源")
    fast = Post.objects.bulk_create(posts("f", token))
    own = models.QuerySet.bulk_create(Post.objects.all(), posts("d", token))
    assert all(post.pk and not post._state.adding for post in fast)
    assert len({post.pk for post in fast}) == 7
    strip = [{**row, "slug": None, "url_path": None} for row in rows(fast)]
    assert strip == [{**row, "slug": None, "url_path": None} for row in rows(own)]
    stored = Post.objects.get(pk=fast[0].pk)
    assert stored.published_at == WHEN + datetime.timedelta(minutes=1)  # microseconds and zone kept
    # ...and stored as the database compares it (SQLite: UTC text), so a range lookup finds it
    assert Post.objects.filter(pk=fast[0].pk, published_at=WHEN + datetime.timedelta(minutes=1)).exists()
    assert Post.objects.filter(pk=fast[0].pk, published_at__lt=WHEN + datetime.timedelta(minutes=1, seconds=1)).exists()
    assert stored.extra == {"作者": ["甲", 1], "nested": {"ok": True, "none": None}}
    assert stored.created_at is not None and stored.updated_at is not None  # auto_now(_add) filled


def test_a_batch_returns_every_id_in_order_across_statements():
    made = Post.objects.bulk_create(posts("a", None) + posts("b", None) + posts("c", None), batch_size=4)
    assert [Post.objects.get(pk=post.pk).slug for post in made] == [post.slug for post in made]


def test_link_rows_fill_their_sort_keys_and_values_of_other_types_are_prepared_by_the_field():
    post = factories.post("有分类")
    other = factories.category("other")
    links = PostCategory.objects.bulk_create([PostCategory(post=post, category=other, position="3")])
    stored = PostCategory.objects.get(pk=links[0].pk)
    assert stored.position == 3  # a string for an integer: the field prepared it, as Django does
    assert (stored.published_at, stored.source_path, stored.is_published) == (
        post.published_at, post.source_path, True)


def test_conflicts_are_ignored_or_updated_as_asked():
    first, second = factories.post("一"), factories.post("二")
    FeedEntry.objects.filter(post=first).delete()
    FeedEntry.objects.bulk_create([FeedEntry(post=first, path="/new"), FeedEntry(post=second, path="/clash")],
                                  ignore_conflicts=True)
    assert FeedEntry.objects.get(post=first).path == "/new"
    assert FeedEntry.objects.get(post=second).path != "/clash"  # kept what it had
    story = Story.objects.bulk_create([Story()])[0]
    StoryPost.objects.bulk_create([StoryPost(post=first, story=story, figures='{"x": 1}')],
                                  update_conflicts=True, unique_fields=["post"], update_fields=["story", "figures"])
    assert StoryPost.objects.get(post=first).figures == '{"x": 1}'
    assert StoryPost.objects.get(post=first).story_id == story.pk


def test_an_expression_value_goes_through_djangos_own_path():
    revision = Revision.objects.bulk_create([Revision(post_id=1, action="试", data={"a": 1}, created_at=Now())])[0]
    assert Revision.objects.get(pk=revision.pk).created_at is not None


def test_rows_that_return_nothing_are_one_statement():
    with CaptureQueriesContext(connection) as queries:
        Story.objects.bulk_create([Story(pk=900_000 + n) for n in range(300)])
    inserts = [query for query in queries.captured_queries if "INSERT" in query["sql"].upper()]
    assert len(inserts) == 1
    assert Story.objects.filter(pk__gte=900_000).count() == 300
    assert not Story.objects.filter(pk__gte=900_000, created_at__isnull=True).exists()


def test_a_batch_that_fails_leaves_no_ids_behind():
    made = posts("x", None)
    made[5].source_path = made[1].source_path  # a clash in the second statement
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.bulk_create(made, batch_size=3)
    assert [post.pk for post in made] == [None] * 7  # as Django leaves them: nothing points at a rolled-back row
