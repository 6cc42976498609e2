"""Channels and rules (the rules' logic: news/rules/; applied on every write by news/changes/ruling.py).

A ``Channel`` is a list across sources (A股, 港股, 央行…); ``PostChannel`` links a post to each
channel a rule put it in, with the post's sort keys copied like a tag link's, so
``/channel/<slug>/`` is one index range. A ``Rule`` is an editor's condition and actions.
``RuleHold`` is an editor's word against the rules on one post: what the editor set by hand
(重要, the status, the tags) no rule changes again.
"""
from django.core.exceptions import ValidationError
from django.db import models

from news import rules
from news.models.linksets import LinkQuerySet
from news.models.posts import ListingLink, Post
from news.models.taxonomy import Category

MARKETS = [("SH", "上交所"), ("SZ", "深交所"), ("BJ", "北交所"), ("HK", "港股"), ("US", "美股"), ("BK", "板块")]


class Channel(models.Model):
    slug = models.SlugField("网址名", max_length=40, unique=True, help_text="频道的地址：/channel/网址名/")
    name = models.CharField("名称", max_length=20, unique=True)
    position = models.PositiveSmallIntegerField("顺序", default=0, help_text="首页的频道标签按这个顺序排列")
    description = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "频道"
        verbose_name_plural = "频道"
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/channel/{self.slug}/"


class RuleQuerySet(models.QuerySet):
    def ruleset(self, budget=0.05):
        """The rules in force, compiled (``news.rules.Ruleset``), in their order."""
        found = self.filter(enabled=True, stopped="").prefetch_related("sources").order_by("position", "pk")
        return rules.Ruleset([rule.as_rule() for rule in found], budget)


class Rule(models.Model):
    name = models.CharField("名称", max_length=100)
    enabled = models.BooleanField("启用", default=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    # the condition: every part given must hold
    words = models.TextField("包含任一词语", blank=True, help_text="每行一个（也可用逗号、顿号分隔）；含其中任一个即命中")
    exclude = models.TextField("但不含这些词语", blank=True, help_text="含其中任一个就不命中")
    pattern = models.CharField(
        "正则表达式", max_length=500, blank=True,
        help_text="RE2 语法（不支持反向引用和环视），每篇文章有时间预算，超出即停用这条规则")
    scope = models.CharField("在哪里找", max_length=10, choices=list(rules.SCOPES.items()), default="lead",
                             help_text="词语和正则表达式在哪里找：导语是正文的前 200 字，快讯的主题一般在这里")
    sources = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name="来源",
                                     help_text="留空：所有来源")
    markets = models.CharField("提到这些市场的证券", max_length=40, blank=True,
                               help_text="逗号分隔的市场代码：SH、SZ、BJ、HK、US、BK")
    # the actions
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="rules",
                                verbose_name="放入频道")
    tag = models.CharField("加标签", max_length=100, blank=True)
    important = models.BooleanField("标为重要", default=False)
    review = models.BooleanField("送待审核", default=False, help_text="已发布的文章改为待审核，需有发布权限的编辑发布")
    hide = models.BooleanField("隐藏匹配的文字", default=False,
                               help_text="从正文里删去匹配正则表达式（没有时：匹配词语）的文字，只剩它们的段落整段去掉")
    stopped = models.TextField("停用原因", blank=True, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        verbose_name = "规则"
        verbose_name_plural = "规则"
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def market_list(self):
        return frozenset(code.strip().upper() for code in self.markets.replace("，", ",").split(",") if code.strip())

    def condition(self, sources=None):
        return rules.Condition(
            words=rules.parse_words(self.words), exclude=rules.parse_words(self.exclude), pattern=self.pattern,
            scope=self.scope, markets=self.market_list(),
            sources=frozenset(category.pk for category in self.sources.all()) if sources is None else frozenset(sources))

    def as_rule(self, sources=None):
        return rules.Rule(self.pk, self.name, self.condition(sources), channel=self.channel_id, tag=self.tag,
                          important=self.important, review=self.review, hide=self.hide)

    def clean(self):
        unknown = self.market_list() - {code for code, _ in MARKETS}
        if unknown:
            raise ValidationError({"markets": f"没有这个市场：{'、'.join(sorted(unknown))}"})
        if not (self.channel_id or self.tag or self.important or self.review or self.hide):
            raise ValidationError("规则至少要有一个动作：放入频道、加标签、标为重要、送待审核或隐藏文字")
        if self.hide and not (self.pattern or self.words):
            raise ValidationError({"hide": "隐藏文字需要词语或正则表达式"})
        try:
            rules.pattern_of(self.pattern)
        except rules.RuleError as error:
            raise ValidationError({"pattern": str(error)}) from None

    def save(self, *args, **kwargs):
        self.stopped = ""  # an edited rule is tried again
        super().save(*args, **kwargs)


class PostChannelQuerySet(LinkQuerySet):
    def route(self, wanted):
        """Make ``wanted`` (``{post: [channel ids]}``, posts saved) each post's channels, in that
        order. Returns the ids of the channels whose list gained or lost a post, and of the posts
        whose channels changed."""
        if not wanted:
            return set(), set()
        posts = {post.pk: post for post in wanted}
        before = {}
        for post_id, channel_id in self.filter(post_id__in=list(posts)).order_by("position").values_list(
                "post_id", "channel_id"):
            before.setdefault(post_id, []).append(channel_id)
        changed, redo, rows = set(), [], []
        for post, channels in wanted.items():
            if list(channels) == before.get(post.pk, []):
                continue
            redo.append(post.pk)
            changed |= set(channels) ^ set(before.get(post.pk, []))
            rows += [PostChannel(post=post, channel_id=channel, position=n) for n, channel in enumerate(channels)]
        if redo:
            self.filter(post_id__in=redo).delete()
            self.bulk_create(rows, batch_size=500)
        return changed, set(redo)


class PostChannel(ListingLink):
    """A post in a channel (put there by a rule)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="channel_links", verbose_name="文章")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="post_links", verbose_name="频道")

    objects = PostChannelQuerySet.as_manager()

    def linked_post(self):
        return self._state.fields_cache.get("post")

    class Meta:
        verbose_name = "文章所在频道"
        verbose_name_plural = "文章所在频道"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "channel"], name="unique_post_channel")]
        indexes = [models.Index(fields=["channel", "-published_at", "-source_path", "is_published"],
                                name="postchannel_listing")]


class RuleHoldQuerySet(models.QuerySet):
    def hold(self, ids, *whats):
        """An editor set ``whats`` (``RuleHold.What``) on the posts ``ids`` by hand."""
        self.bulk_create([RuleHold(post_id=pk, what=what) for pk in ids for what in whats], ignore_conflicts=True)


class RuleHold(models.Model):
    """What an editor set on a post by hand, which rules leave alone from then on."""

    class What(models.TextChoices):
        IMPORTANT = "important", "重要"
        STATUS = "status", "状态"
        TAGS = "tags", "标签"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="rule_holds", verbose_name="文章")
    what = models.CharField("编辑定下的", max_length=20, choices=What.choices)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = RuleHoldQuerySet.as_manager()

    class Meta:
        verbose_name = "编辑定下、规则不改的"
        verbose_name_plural = "编辑定下、规则不改的"
        constraints = [models.UniqueConstraint(fields=["post", "what"], name="unique_rule_hold")]

    def __str__(self):
        return self.get_what_display()
