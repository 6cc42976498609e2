"""Stories on readers' pages (news/models/stories.py assigns them).

A list where sources mix (home's newest block, ``/emnews/``, a tag, a day, search) shows a story
once: its first report in that list, with "N 家来源" expanding — a ``<details>``, so no script is
needed — to the other reports (source, time, link). A later copy is left out of the list, so it
never brings the story back to the top of a live wall; the story's count on the first report
changes instead. Category pages are one source's own list and stay as they are. An article lists
its story's other reports in ``<section data-story="ID">``.
"""
import dataclasses

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber

from news import cache
from news.models import Post, PostCategory, StoryPost
from news.reader import wall

SHOWN = 20  # a story's other reports shown with one of its reports


def _earlier(prefix=""):
    """Rows dated before the outer row, in listing order (``published_at``, then ``source_path``)."""
    return (Q(**{f"{prefix}published_at__lt": OuterRef("published_at")})
            | Q(**{f"{prefix}published_at": OuterRef("published_at"), f"{prefix}source_path__lt": OuterRef("source_path")}))


def first_reports(posts, within=None):
    """``posts`` without the reports of a story an earlier post of ``within`` (default: ``posts``
    themselves — the list as it is narrowed: 只看重要, a day, a search) already reports. A post with
    no story yet is its own."""
    within = posts if within is None else within
    earlier = within.filter(_earlier(), story_link__story=OuterRef("story_link__story"))
    return posts.exclude(Exists(earlier))


def first_tagged(links, relation="content_object"):
    """Tag (or security) link rows without the posts whose story an earlier row of the same
    narrowed list (the tag, 只看重要, a day) already reports; ``relation``: the link's post field."""
    story = f"{relation}__story_link__story"
    return links.exclude(Exists(links.filter(_earlier(), **{story: OuterRef(story)})))


def reports(post_ids):
    """``{post id: (story id, [Item of other live reports, oldest first], reports in all)}`` for
    the posts whose story has other reports: one query however many posts, each report's source
    read with it, at most ``SHOWN`` reports a story (a story a template made of hundreds of posts
    stays a light item; the count says how many there are)."""
    post_ids = list(post_ids)
    if not post_ids:
        return {}
    first_source = PostCategory.objects.filter(post=OuterRef("pk")).order_by("position")
    story = F("story_link__story")
    rows = list(Post.objects.published()
                .filter(story_link__story__in=StoryPost.objects.filter(post_id__in=post_ids).values("story"))
                .annotate(source_id=Subquery(first_source.values("category_id")[:1]),
                          source_key=Subquery(first_source.values("category__key")[:1]),
                          source_name=Subquery(first_source.values("category__name")[:1]),
                          rank=Window(RowNumber(), partition_by=story, order_by=[F("published_at"), F("source_path")]),
                          size=Window(Count("pk"), partition_by=story))
                .filter(rank__lte=SHOWN + 1)
                .order_by("published_at", "source_path")
                .values_list("pk", "story_link__story", "title", "url_path", "published_at", "important",
                             "created_at", "size", "source_id", "source_key", "source_name"))
    by_story, story_of, sizes = {}, {}, {}
    for pk, story, title, url, at, important, added, size, source_id, key, name in rows:
        source = (name or key, wall.category_path(key)) if key else None
        by_story.setdefault(story, []).append(wall.Item(pk, title, url, at, important, source, added=added))
        story_of[pk], sizes[story] = story, size
        if source_id:
            cache.depends_on(f"catname:{source_id}")
    missing = [pk for pk in post_ids if pk not in story_of]
    if missing and rows:  # a report past the first SHOWN of a big story: its story, read on its own
        late = dict(StoryPost.objects.filter(post_id__in=missing).values_list("post_id", "story_id"))
        story_of.update({pk: story for pk, story in late.items() if story in by_story})
    found = {}
    for pk in post_ids:
        story = story_of.get(pk)
        others = [item for item in by_story.get(story, ()) if item.pk != pk][:SHOWN]
        if others:
            found[pk] = (story, others, sizes[story])
    return found


def with_reports(items):
    """``items`` (wall.Item) with their story's other reports attached."""
    found = reports(item.pk for item in items)
    return [dataclasses.replace(item, story=found.get(item.pk)) for item in items]
