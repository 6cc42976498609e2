from django.contrib import admin
from django.urls import include, path

from news.admin.desk import desk_view
from news.cache import cached_page as cached
from news.health import healthz
from news.ingest import api
from news.metrics import metrics
from news.reader import sitemaps

urlpatterns = [
    path("admin/desk/", admin.site.admin_view(desk_view), name="desk"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/posts/", api.posts, name="api-posts"),
    path("sitemap.xml", cached(sitemaps.index), name="sitemap-index"),
    path("sitemap-<section>.xml", cached(sitemaps.section, params=("p",)),
         name="django.contrib.sitemaps.views.sitemap"),
    path("", include("news.urls")),
]
