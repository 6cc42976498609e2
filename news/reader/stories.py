"""Stories on readers' pages (news/models/stories.py assigns them).

A list where sources mix (home's newest block, ``/emnews/``, a tag, a day, search) shows a story
once: its first report in that list, with "N 家来源" expanding — a ``<details>``, so no script is
needed — to the other reports (source, time, link). A later copy is left out of the list, so it
never brings the story back to the top of a live wall; the story's count on the first report
changes instead. Category pages are one source's own list and stay as they are. An article lists
its story's other reports in ``<section data-story="ID">``.
"""
from django.db.models import Exists, OuterRef, Q

from news.models import Post, StoryPost, TaggedPost
from news.reader import wall


def _earlier(prefix=""):
    """Rows dated before the outer row, in listing order (``published_at``, then ``source_path``)."""
    return (Q(**{f"{prefix}published_at__lt": OuterRef("published_at")})
            | Q(**{f"{prefix}published_at": OuterRef("published_at"), f"{prefix}source_path__lt": OuterRef("source_path")}))


def first_reports(posts, within=None):
    """``posts`` without the reports of a story an earlier post of ``within`` (default: every
    published post) already reports. A post with no story yet is its own."""
    within = Post.objects.published() if within is None else within
    earlier = within.filter(_earlier(), story_link__story=OuterRef("story_link__story"))
    return posts.exclude(Exists(earlier))


def first_tagged(links):
    """Tag link rows without the posts whose story an earlier post with the same tag reports."""
    earlier = TaggedPost.objects.live().filter(
        _earlier(), tag=OuterRef("tag"),
        content_object__story_link__story=OuterRef("content_object__story_link__story"))
    return links.exclude(Exists(earlier))


def reports(post_ids, exclude=()):
    """``{post id: (story id, [Item of every other live report, oldest first])}`` for the posts
    whose story has other reports: three queries however many posts."""
    stories = dict(StoryPost.objects.filter(post_id__in=list(post_ids)).values_list("post_id", "story_id"))
    if not stories:
        return {}
    members = (Post.objects.published().filter(story_link__story__in=set(stories.values()))
               .order_by("published_at", "source_path")
               .values_list("pk", "story_link__story", "title", "url_path", "published_at", "important"))
    rows = list(members)
    sources = wall.sources_of(pk for pk, *_ in rows)
    by_story = {}
    for pk, story, title, url, at, important in rows:
        by_story.setdefault(story, []).append(wall.Item(pk, title, url, at, important, sources.get(pk)))
    found = {}
    for pk, story in stories.items():
        others = [item for item in by_story.get(story, ()) if item.pk != pk]
        if others:
            found[pk] = (story, others)
    return found


def with_reports(items):
    """``items`` (wall.Item) with their story's other reports attached."""
    found = reports(item.pk for item in items)
    return [wall.Item(item.pk, item.title, item.url, item.at, item.important, item.source,
                      found.get(item.pk)) for item in items]
