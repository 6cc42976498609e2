"""``/channel/``: the channels across sources (A股, 港股, 央行…, filled by rules: news/rules/).
``/channel/<slug>/`` lists a channel's posts newest first, a live wall with 只看重要 and a feed, like
a tag's; ``/channel/`` lists the channels, each a link named by the channel."""
from django.conf import settings
from django.http import Http404
from django.views.generic import ListView, TemplateView

from news import cache
from news.models import Channel, PostChannel
from news.reader import live
from news.reader.feeds import PostFeed, Subject, absolute, newest
from news.reader.views import LiveListingMixin, feed_of


def channel_of(slug):
    found = Channel.objects.filter(slug=slug).first() if slug and len(slug) <= 40 else None
    if found is None:
        raise Http404("没有这个频道")
    return found


class ChannelView(LiveListingMixin, ListView):
    template_name = "news/channel.html"
    with_source = True

    def get(self, request, *args, **kwargs):
        self.channel = channel_of(kwargs["slug"])
        cache.depends_on(f"channel:{self.channel.pk}", "channels")
        return super().get(request, *args, **kwargs)

    def live_list(self):
        return live.channel(self.channel, self.important)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(channel=self.channel, channels=list(Channel.objects.only("slug", "name")))
        context.update(feed_of(self.channel.get_absolute_url() + "feed.xml", self.channel.name, self.important))
        return context


class ChannelFeed(PostFeed):
    def get_object(self, request, slug):
        found = channel_of(slug)
        cache.depends_on(f"channel:{found.pk}", "channels")
        return Subject(found, live.important_flag(request))

    def title(self, obj):
        return f"{obj.thing.name}{obj.suffix()} - {settings.FINEWS_SITE_TITLE}"

    def link(self, obj):
        return obj.thing.get_absolute_url() + obj.query()

    def feed_url(self, obj):
        return absolute(obj.thing.get_absolute_url() + "feed.xml" + obj.query())

    def newest_ids(self, obj):
        return newest(live.channel(obj.thing, obj.important).rows, "post_id", settings.FINEWS_FEED_ITEMS)


class ChannelDirectoryView(TemplateView):
    """``/channel/``: every channel in the editors' order, with its latest post's time (an index
    seek each; no count: a channel holds a quarter of a million posts, and a count would scan them
    on every change)."""

    template_name = "news/channels.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cache.depends_on("site", "channels")
        context["channels"] = [
            (channel, PostChannel.objects.live().filter(channel=channel).newest_first().values_list(
                "published_at", flat=True).first()) for channel in Channel.objects.all()]
        return context
