from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from news import api
from news.cache import cached_page as cached
from news.health import healthz
from news.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/posts/", api.posts, name="api-posts"),
    path("sitemap.xml", cached(sitemap_views.index), {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path("sitemap-<section>.xml", cached(sitemap_views.sitemap), {"sitemaps": SITEMAPS},
         name="django.contrib.sitemaps.views.sitemap"),
    path("", include("news.urls")),
]
