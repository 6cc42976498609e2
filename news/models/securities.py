"""Securities: the stocks and sectors posts name (the rules: news/securities/).

``Security`` is a market and a code with the name sources give it; ``PostSecurity`` links a post to
each security it names, in the order it names them, with the post's sort keys copied like a tag
link's (news/models/posts.py ``ListingLink``), so ``/stock/<code>/`` is one index range. The links
are derived from the post's text by the after-write step whenever the text is written; an editor's
``SecurityChoice`` (this security added to the post, or taken off it) wins over the text, at every
later write of it.
"""
from django.db import models, transaction

from news import securities
from news.models.linksets import LinkQuerySet
from news.models.posts import ListingLink, Post

LINK_KEYS = ("published_at", "is_published", "source_path")  # what ``Post.link_keys()`` gives a link


class Security(models.Model):
    class Market(models.TextChoices):
        SH = "SH", "上交所"
        SZ = "SZ", "深交所"
        BJ = "BJ", "北交所"
        HK = "HK", "港股"
        US = "US", "美股"
        BK = "BK", "板块"

    market = models.CharField("市场", max_length=2, choices=Market.choices)
    code = models.CharField("代码", max_length=12)
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = "证券"
        verbose_name_plural = "证券"
        ordering = ["code", "market"]
        constraints = [models.UniqueConstraint(fields=["market", "code"], name="unique_security")]
        indexes = [models.Index(fields=["code"], name="security_code"), models.Index(fields=["name"], name="security_name")]

    def __str__(self):
        return f"{self.name or self.code}（{self.code}）"

    def get_absolute_url(self):
        return f"/stock/{self.code}/"


class PostSecurityQuerySet(LinkQuerySet):
    @transaction.atomic
    def extract(self, posts):
        """Link each of ``posts`` (saved, text loaded) to the securities its text names now, in
        that order. Returns ``(securities, posts)``: the ids of the securities whose list gained or
        lost a post, and of the posts whose links were written again."""
        found = {post.pk: securities.named(post.title, post.body_html) for post in posts if post.pk}
        if not found:
            return set(), set()
        # Two writers of one post (a re-send, an editor, extract_securities) take turns here: the
        # second reads what the first wrote.
        list(Post.objects.select_for_update().filter(pk__in=list(found)).values_list("pk", flat=True))
        chosen = {}  # an editor's: {post id: {security id: wanted}}, in the order made (read under the lock)
        for post_id, security_id, wanted in SecurityChoice.objects.filter(post_id__in=list(found)).order_by(
                "pk").values_list("post_id", "security_id", "wanted"):
            chosen.setdefault(post_id, {})[security_id] = wanted
        wanted = {}
        for named in found.values():
            for security in named:
                wanted.setdefault(security.key, security)  # the first post's name names a new one
        known = self._securities(wanted)
        before, stale = {}, set()  # stale: links whose copy of the post's sort keys is out of date
        posts_by_id = {post.pk: post for post in posts}
        for post_id, security_id, name, *keys in self.filter(post_id__in=list(found)).order_by("position").values_list(
                "post_id", "security_id", "name", *LINK_KEYS):
            before.setdefault(post_id, []).append((security_id, name))
            if dict(zip(LINK_KEYS, keys, strict=True)) != posts_by_id[post_id].link_keys():
                stale.add(post_id)
        rows, changed, redo = [], set(), []
        for post_id, named in found.items():
            now = _chosen([(known[security.key].pk, security.name[:50]) for security in named], chosen.get(post_id, {}))
            if now == before.get(post_id, []) and post_id not in stale:
                continue
            redo.append(post_id)
            changed |= {pk for pk, _ in now} ^ {pk for pk, _ in before.get(post_id, [])}
            rows += [PostSecurity(post=posts_by_id[post_id], security_id=pk, name=name, position=n)
                     for n, (pk, name) in enumerate(now)]
        self.filter(post_id__in=redo).delete()
        self.bulk_create(rows, batch_size=500)
        return changed, set(redo)

    @staticmethod
    def _securities(wanted):
        """``{(market, code): Security}`` for ``wanted`` (``{(market, code): named}``), those not
        known yet created with the name the first post gives them; a name learned later fills an
        empty one."""
        def lookup(keys):
            found, wanted_keys = {}, set(keys)
            codes = sorted({code for _, code in keys})
            for start in range(0, len(codes), 500):  # by the code's index; a code's other markets dropped
                for security in Security.objects.filter(code__in=codes[start:start + 500]):
                    if (security.market, security.code) in wanted_keys:
                        found[security.market, security.code] = security
            return found

        known = lookup(list(wanted))
        missing = [key for key in wanted if key not in known]
        if missing:
            Security.objects.bulk_create([Security(market=m, code=c, name=wanted[(m, c)].name[:50]) for m, c in missing],
                                         ignore_conflicts=True, batch_size=500)
            known.update(lookup(missing))  # made here, or by another writer at the same moment
        nameless = [security for key, security in known.items() if not security.name and wanted[key].name]
        for security in nameless:
            security.name = wanted[(security.market, security.code)].name[:50]
        if nameless:
            Security.objects.bulk_update(nameless, ["name"])
        return known


def _chosen(named, choices):
    """What a post's text names (``[(security id, name)]``), with what an editor added after it
    and without what an editor took off."""
    kept = [(pk, name) for pk, name in named if choices.get(pk, True)]
    return kept + [(pk, "") for pk, wanted in choices.items() if wanted and pk not in {k for k, _ in kept}]


class SecurityChoice(models.Model):
    """An editor's word on one security of one post: named by it (``wanted``) or not, whatever its
    text says; the after-write step applies it at every later write of the post (news/admin/
    securities.py makes them)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="security_choices", verbose_name="文章")
    security = models.ForeignKey("Security", on_delete=models.CASCADE, related_name="choices", verbose_name="证券")
    wanted = models.BooleanField(
        "编辑的决定", choices=[(True, "加入（正文没有提到也列出）"), (False, "移除（正文提到也不列出）")], default=True)

    class Meta:
        verbose_name = "编辑指定的证券"
        verbose_name_plural = "编辑指定的证券"
        constraints = [models.UniqueConstraint(fields=["post", "security"], name="unique_security_choice")]

    def __str__(self):
        return f"{'加入' if self.wanted else '移除'} {self.security_id}"


class PostSecurity(ListingLink):
    """A post's mention of a security, ``name`` as the post gives it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="security_links", verbose_name="文章")
    security = models.ForeignKey(Security, on_delete=models.CASCADE, related_name="post_links", verbose_name="证券")
    name = models.CharField("文中名称", max_length=50, blank=True)

    objects = PostSecurityQuerySet.as_manager()

    def linked_post(self):
        return self._state.fields_cache.get("post")

    def __str__(self):
        return f"{self.security}"

    class Meta:
        verbose_name = "文章提及的证券"
        verbose_name_plural = "文章提及的证券"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "security"], name="unique_post_security")]
        indexes = [models.Index(fields=["security", "-published_at", "-source_path", "is_published"],
                                name="postsecurity_listing")]
