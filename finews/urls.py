from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_page

from news.sitemaps import SITEMAPS

cached = cache_page(settings.FINEWS_CACHE_SECONDS)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", cached(sitemap_views.index), {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path("sitemap-<section>.xml", cached(sitemap_views.sitemap), {"sitemaps": SITEMAPS},
         name="django.contrib.sitemaps.views.sitemap"),
    path("", include("news.urls")),
]
