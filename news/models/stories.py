"""Stories: the posts of many sources that report one news item (the rules: news/stories/).

Every post written with its text belongs to one story (``StoryPost``); a post that matches no
earlier report starts its own. A post's LSH keys (``StoryBand``, one row per band, with the
post's time) are stored so every server finds the same candidates by index lookups — the keys it
shares within the window — and checks them exactly. An editor's placement (``held``) is kept when
the post is written again; ``split`` and ``join`` are the editor's two moves.
"""
import datetime
import json

from django.conf import settings
from django.db import connections, models, transaction

from news import stories
from news.models.bulk import BulkQuerySet
from news.models.posts import Post
from news.signals import posts_changed
from news.text import text_of_html

CANDIDATES = 32  # per post: the posts sharing the most keys with it, in that order...
STORIES_CHECKED = 8  # ...of which the best of each story is checked exactly, for this many stories
KEY_CHUNK = 60  # posts whose keys go in one lookup (60 × 16 keys: under SQLite's 999 parameters)
COMMON_KEY = 200  # a key more posts of the window share is boilerplate, not news: not a lead


class Story(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = BulkQuerySet.as_manager()

    class Meta:
        verbose_name = "报道"
        verbose_name_plural = "报道"

    def __str__(self):
        return f"报道 #{self.pk}"


class StoryBand(models.Model):
    """One LSH key of a post's text, with the post's time (candidates are looked up in a window)."""

    key = models.BigIntegerField()
    # no constraint in the database: 16 rows a post, derived, deleted with the post by Django
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="storyband_key_at")]

    def __str__(self):
        return f"{self.post_id}: {self.key}"


def _shifted(moment, delta):
    """``moment + delta`` in UTC (what the database compares), held at the calendar's ends: posts
    may be dated near either, and a moment of year 1 in +08:00 is still in year 1 in UTC."""
    moment = moment.astimezone(datetime.UTC)
    try:
        return moment + delta
    except OverflowError:
        edge = datetime.datetime.max if delta > datetime.timedelta(0) else datetime.datetime.min
        return edge.replace(tzinfo=datetime.UTC)


def _texts(posts):
    return {post.pk: stories.normalise(post.title, text_of_html(post.body_html or "")) for post in posts}


class StoryPostQuerySet(BulkQuerySet):
    def assign(self, posts):
        """Place each of ``posts`` (saved, text loaded) in the story of the earlier or later post
        it reports the same news as, within the window, or in a story of its own; an editor's
        placement stays. Returns the ids of every post whose story gained or lost a member."""
        posts = sorted((post for post in posts if post.pk), key=lambda post: (post.published_at, post.pk))
        if not posts:
            return set()
        window = datetime.timedelta(hours=settings.FINEWS_STORY_WINDOW_HOURS)
        signed = {post.pk: stories.signature(post.title, post.body_html) for post in posts}
        texts = {pk: made.text for pk, made in signed.items()}
        keys = {pk: made.keys for pk, made in signed.items()}
        links = {row.post_id: row for row in self.filter(post_id__in=list(texts))}
        if links:  # a post placed before has keys to replace (keys are written with the placement)
            StoryBand.objects.filter(post_id__in=list(links)).delete()
        self._insert_bands(posts, keys)
        candidates = self._candidates(posts, keys, window)
        outside = {pk for found in candidates.values() for pk in found} - set(texts)
        known = {pk: (story, stories.stored(json.loads(figures or "{}"))) for pk, story, figures in
                 self.filter(post_id__in=outside).values_list("post_id", "story_id", "figures")}
        # The text of a candidate is read only when its stored figures agree with a post it may match.
        readable = {other for post in posts for other in candidates.get(post.pk, ())
                    if other in known and stories.figures_agree(texts[post.pk], known[other][1])}
        texts.update(_texts(Post.objects.filter(pk__in=readable).only("title", "body_html")))
        placed, touched, new, left = {}, set(), [], set()
        for post in posts:
            link = links.get(post.pk)
            if link is not None and link.held:
                continue
            current = link.story_id if link else None
            matches, seen = [], []
            for other in candidates.get(post.pk, ()):
                story = placed.get(other) or (known[other][0] if other in known else None) or (
                    links[other].story_id if other in links else None)
                if not story or any(story is looked or story == looked for looked in seen):
                    continue  # not placed yet (a later post of this batch), or its story was looked at
                seen.append(story)
                if other in texts and stories.same_story(texts[post.pk], texts[other]):
                    matches.append(story)
                if len(seen) >= STORIES_CHECKED:
                    break
            target = current if current in matches else (matches[0] if matches else None)
            if target is None and current is not None and not self.filter(story_id=current).exclude(
                    post_id=post.pk).exists():
                target = current  # alone in its story: it stays its story
            if target is None:
                target = Story()  # a story of its own, inserted with the others below
                new.append(target)
            placed[post.pk] = target
            if target != current:
                touched |= {story for story in (target, current) if isinstance(story, int)}
                left |= {current} - {None}
        Story.objects.bulk_create(new, batch_size=500)
        self.bulk_create([
            StoryPost(post_id=post.pk, story_id=getattr(placed[post.pk], "pk", placed[post.pk]) if post.pk in placed
                      else links[post.pk].story_id, figures=signed[post.pk].figures)
            for post in posts], update_conflicts=True, unique_fields=["post"], update_fields=["story", "figures"],
            batch_size=500)
        if not touched:
            return set()
        if left:  # a story a post left may have none left
            Story.objects.filter(pk__in=left, links__isnull=True).delete()
        return set(self.filter(story_id__in=touched).values_list("post_id", flat=True))

    def _candidates(self, posts, keys, window):
        """``{post id: [candidate ids]}``: for each post the posts within the window sharing at
        least two of its LSH keys, most shared first. Counted by the database (index ranges on
        ``(key, at)``), a chunk of posts per statement; a key more than COMMON_KEY posts of the
        chunk's range share is boilerplate and leads nowhere."""
        connection = connections[self.db]
        adapt = connection.ops.adapt_datetimefield_value
        number, moment = ("::bigint", "::timestamptz") if connection.vendor == "postgresql" else ("", "")
        table, found = StoryBand._meta.db_table, {}
        if len(posts) == 1:  # one post (the API, the admin): a plain statement the database plans at once
            post = posts[0]
            if not keys[post.pk]:
                return found
            marks = ", ".join(["%s"] * len(keys[post.pk]))
            low, high = adapt(_shifted(post.published_at, -window)), adapt(_shifted(post.published_at, window))
            sql = (f"SELECT post_id, COUNT(*) FROM {table} WHERE key IN ({marks}) AND at >= %s AND at <= %s "
                   f"AND post_id <> %s AND key NOT IN (SELECT key FROM {table} WHERE key IN ({marks}) "
                   f"AND at >= %s AND at <= %s GROUP BY key HAVING COUNT(*) > %s) "
                   f"GROUP BY post_id HAVING COUNT(*) >= 2 ORDER BY COUNT(*) DESC, post_id LIMIT %s")
            with connection.cursor() as cursor:
                cursor.execute(sql, [*keys[post.pk], low, high, post.pk, *keys[post.pk], low, high, COMMON_KEY,
                                     CANDIDATES])
                found[post.pk] = [other for other, _ in cursor.fetchall()]
            return found
        for start in range(0, len(posts), KEY_CHUNK):
            chunk = [post for post in posts[start:start + KEY_CHUNK] if keys[post.pk]]
            if not chunk:
                continue
            pairs = [(post.pk, key) for post in chunk for key in keys[post.pk]]
            spans = [(post.pk, adapt(_shifted(post.published_at, -window)), adapt(_shifted(post.published_at, window)))
                     for post in chunk]
            low = adapt(_shifted(chunk[0].published_at, -window))
            high = adapt(_shifted(chunk[-1].published_at, window))
            sql = (
                f"WITH w(pid, k) AS (VALUES {', '.join([f'(%s{number}, %s{number})'] * len(pairs))}), "
                f"p(pid, lo, hi) AS (VALUES {', '.join([f'(%s{number}, %s{moment}, %s{moment})'] * len(spans))}), "
                f"common AS (SELECT b.key FROM {table} b WHERE b.key IN (SELECT k FROM w) AND b.at >= %s "
                f"AND b.at <= %s GROUP BY b.key HAVING COUNT(*) > %s) "
                f"SELECT w.pid, b.post_id, COUNT(*) FROM w JOIN p ON p.pid = w.pid "
                f"JOIN {table} b ON b.key = w.k AND b.at >= p.lo AND b.at <= p.hi "
                f"WHERE b.post_id <> w.pid AND w.k NOT IN (SELECT key FROM common) "
                f"GROUP BY w.pid, b.post_id HAVING COUNT(*) >= 2")
            params = [value for pair in pairs for value in pair] + [value for span in spans for value in span]
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, low, high, COMMON_KEY])
                rows = cursor.fetchall()
            ranked = {}
            for pid, other, hits in rows:
                ranked.setdefault(pid, []).append((-hits, other))
            for pid, found_here in ranked.items():
                found[pid] = [other for _, other in sorted(found_here)[:CANDIDATES]]
        return found

    def reports_of(self, post_ids):
        """The ids of the other posts in these posts' stories (one query)."""
        post_ids = set(post_ids)
        mine = self.filter(post_id__in=post_ids).values("story")
        return set(self.filter(story__in=mine).values_list("post_id", flat=True)) - post_ids

    def _insert_bands(self, posts, keys):
        """The posts' LSH keys as plain rows, 60 posts' in one statement (16 a post: a model
        object for each would cost more than the rest of the story step)."""
        connection = connections[self.db]
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(key, post.pk, at) for post in posts for at in [adapt(post.published_at)] for key in keys[post.pk]]
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {StoryBand._meta.db_table} (key, post_id, at) VALUES (%s, %s, %s)", rows)

    def members(self, story_ids):
        """``{story id: [post ids]}`` of these stories."""
        found = {}
        for story, pk in self.filter(story_id__in=list(story_ids)).values_list("story_id", "post_id"):
            found.setdefault(story, []).append(pk)
        return found

    @transaction.atomic
    def split(self, post_ids):
        """An editor takes each of these posts out of its story into one of its own, held there;
        the posts left in the story are held in it too (written again, one would follow the post
        taken out)."""
        post_ids = list(post_ids)
        before = set(self.filter(post_id__in=post_ids).values_list("story_id", flat=True))
        for pk in post_ids:
            self.update_or_create(post_id=pk, defaults={"story": Story.objects.create(), "held": True})
        self.filter(story_id__in=before).update(held=True)
        self._announce(before, post_ids)

    @transaction.atomic
    def join(self, post_ids):
        """An editor puts these posts' stories together: every member moves to the story of the
        earliest of them, and the posts named are held there."""
        posts = list(Post.objects.filter(pk__in=list(post_ids)).order_by("published_at", "pk").only("published_at"))
        if len(posts) < 2:
            return
        first = self.filter(post_id=posts[0].pk).first()
        target = first.story_id if first else Story.objects.create().pk
        before = set(self.filter(post_id__in=[post.pk for post in posts]).values_list("story_id", flat=True))
        self.filter(story_id__in=before).update(story_id=target)
        for post in posts:
            self.update_or_create(post_id=post.pk, defaults={"story_id": target, "held": True})
        self._announce(before | {target}, [post.pk for post in posts])

    def _announce(self, story_ids, post_ids):
        Story.objects.filter(pk__in=story_ids, links__isnull=True).delete()
        affected = {pk for found in self.members(story_ids).values() for pk in found} | set(post_ids)
        posts_changed.send(sender=Post, ids=sorted(affected))


class StoryPost(models.Model):
    """A post's place in its story; ``held``: placed by an editor, kept when the post is written again."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="story_link",
                                verbose_name="文章")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="links", verbose_name="报道")
    held = models.BooleanField("编辑已固定", default=False)
    figures = models.TextField("数字", blank=True, default="", editable=False)  # JSON: news/stories/figures_of

    objects = StoryPostQuerySet.as_manager()

    class Meta:
        verbose_name = "报道中的文章"
        verbose_name_plural = "报道中的文章"

    def __str__(self):
        return f"文章 #{self.post_id} · 报道 #{self.story_id}"
