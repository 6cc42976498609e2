"""``/stock/``: the securities posts name (news/securities/). ``/stock/<code>/`` lists the posts
naming a code, newest first, as a live wall like a tag's; a code two markets share answers with a
choice of the two, each at ``/stock/<code>/<market>/``. ``/stock/`` is the directory, by pinyin."""
from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404
from django.template.response import TemplateResponse
from django.views.generic import ListView

from news import cache
from news.models import PostSecurity, Security
from news.reader import live
from news.reader.directories import DirectoryView
from news.reader.feeds import PostFeed, Subject, absolute, newest
from news.reader.views import LiveListingMixin, feed_of

MAX_CODE = 12


def securities_of(code, market=None):
    """The securities with this code (of ``market`` only, when given), spelled as stored; Http404
    when none (``/stock/600519/sh/`` or ``/stock/%20600519/`` is not another address for a page)."""
    if not code or len(code) > MAX_CODE or not code.isascii() or not code.replace(".", "").isalnum():
        raise Http404("没有这个证券")
    found = Security.objects.filter(code=code)
    if market is not None:
        if market not in Security.Market.values:
            raise Http404("没有这个市场")
        found = found.filter(market=market)
    found = list(found.order_by("market"))
    if not found:
        raise Http404("没有这个证券")
    return found


def stock_path(security, shared=False):
    return f"/stock/{security.code}/{security.market}/" if shared else f"/stock/{security.code}/"


class StockView(LiveListingMixin, ListView):
    """``/stock/<code>/`` (and ``/stock/<code>/<market>/``): the posts naming one security."""

    template_name = "news/stock.html"
    with_source = True

    def get(self, request, *args, **kwargs):
        found = securities_of(kwargs["code"], kwargs.get("market"))
        if len(found) > 1:  # a code two markets share: which one
            for security in found:
                cache.depends_on(f"stock:{security.pk}")
            return TemplateResponse(request, "news/stock_choice.html", {
                "code": found[0].code, "choices": [(security, stock_path(security, True)) for security in found]})
        self.security = found[0]
        self.path = stock_path(self.security, "market" in kwargs)
        cache.depends_on(f"stock:{self.security.pk}")
        return super().get(request, *args, **kwargs)

    def live_list(self):
        return live.stock(self.security, self.important)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(security=self.security, stock_path=self.path)
        context.update(feed_of(self.path + "feed.xml", f"{self.security.name or self.security.code}（{self.security.code}）",
                               self.important))
        return context


class StockFeed(PostFeed):
    def get_object(self, request, code, market=None):
        found = securities_of(code, market)
        if len(found) > 1:
            raise Http404("这个代码属于多个市场，请选择其一的订阅")
        cache.depends_on(f"stock:{found[0].pk}")
        subject = Subject(found[0], live.important_flag(request))
        subject.path = stock_path(found[0], market is not None)
        return subject

    def title(self, obj):
        return f"{obj.thing}{obj.suffix()} - {settings.FINEWS_SITE_TITLE}"

    def link(self, obj):
        return obj.path + obj.query()

    def feed_url(self, obj):
        return absolute(obj.path + "feed.xml" + obj.query())

    def newest_ids(self, obj):
        return newest(live.stock(obj.thing, obj.important).rows, "post_id", settings.FINEWS_FEED_ITEMS)


class StockDirectoryView(DirectoryView):
    title, noun = "全部证券", "证券"

    def entries(self):
        shared = set(Security.objects.values("code").annotate(n=Count("pk")).filter(n__gt=1).values_list(
            "code", flat=True))
        rows = (PostSecurity.objects.live().values("security").annotate(count=Count("pk"), latest=Max("published_at"))
                .values_list("security", "count", "latest"))
        counts = {pk: (count, latest) for pk, count, latest in rows}
        securities = Security.objects.filter(pk__in=list(counts))
        return [(f"{security.name or security.code}（{security.code}）", stock_path(security, security.code in shared),
                 *counts[security.pk]) for security in securities]
