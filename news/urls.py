from django.urls import path, re_path

from news.cache import cached_page
from news.reader import archives, channels, directories, feeds, home, live, stocks, views
from news.reader import search as search_views

app_name = "news"
LISTING = ("page", "older", "date", "important")  # the query parameters a listing understands
DELTA = ("after", "important")
FEED = ("important",)


def cached(view, params=()):
    return cached_page(view, params)


urlpatterns = [
    path("", cached(home.HomeView.as_view(), ("order", "page", "important")), name="home"),
    path("index.html", views.home_redirect),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon),
    path("feed.xml", cached(feeds.PostFeed(), FEED), name="feed"),
    path("emnews/", cached(views.LatestOfTagView.as_view(), ("important",)), name="emnews"),
    path("live/latest/", cached(live.delta, DELTA), {"kind": "latest"}, name="live_latest"),
    path("live/emnews/", cached(live.delta, DELTA), {"kind": "emnews"}, name="live_emnews"),
    path("live/category/<str:pk>/", cached(live.delta, DELTA), {"kind": "category"}, name="live_category"),
    path("live/tag/<str:pk>/", cached(live.delta, DELTA), {"kind": "tag"}, name="live_tag"),
    path("live/stock/<str:pk>/", cached(live.delta, DELTA), {"kind": "stock"}, name="live_stock"),
    path("live/channel/<str:pk>/", cached(live.delta, DELTA), {"kind": "channel"}, name="live_channel"),
    path("live/section/<str:pk>/", cached(home.section), name="live_section"),
    path("category/", cached(directories.SourceDirectoryView.as_view()), name="sources"),
    path("tag/", cached(directories.TagDirectoryView.as_view()), name="tags"),
    path("category/<path:key>/feed.xml", cached(feeds.CategoryFeed(), FEED), name="category_feed"),
    path("category/<path:key>.html", cached(views.CategoryView.as_view(), LISTING), name="category"),
    path("tag/<path:name>/feed.xml", cached(feeds.TagFeed(), FEED), name="tag_feed"),
    path("tag/<path:name>/", cached(views.TagView.as_view(), LISTING), name="tag"),
    path("search/", search_views.SearchView.as_view(), name="search"),
    path("stock/", cached(stocks.StockDirectoryView.as_view()), name="stocks"),
    path("channel/", cached(channels.ChannelDirectoryView.as_view()), name="channels"),
    path("channel/<str:slug>/feed.xml", cached(channels.ChannelFeed(), FEED), name="channel_feed"),
    path("channel/<str:slug>/", cached(channels.ChannelView.as_view(), LISTING), name="channel"),
    path("stock/<str:code>/feed.xml", cached(stocks.StockFeed(), FEED), name="stock_feed"),
    path("stock/<str:code>/", cached(stocks.StockView.as_view(), LISTING), name="stock"),
    path("stock/<str:code>/<str:market>/feed.xml", cached(stocks.StockFeed(), FEED), name="stock_market_feed"),
    path("stock/<str:code>/<str:market>/", cached(stocks.StockView.as_view(), LISTING), name="stock_market"),
    # ``/<key>/``: the form the scraper's back-links used; the same listing as the category page.
    re_path(r"^(?P<key>[^/]+)/$", cached(views.CategoryView.as_view(), LISTING), name="category_short"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$", cached(archives.DayArchiveView.as_view(), ("page",)),
            name="day"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", cached(archives.MonthArchiveView.as_view()), name="month"),
    re_path(r"^(?P<path>.+)$", views.ArticleView.as_view(), name="article"),
]
