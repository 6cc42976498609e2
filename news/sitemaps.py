"""Sitemaps for search engines: every published post and every category page."""
from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from .models import Category, Post


class PostSitemap(Sitemap):
    changefreq = "never"
    limit = 5000

    def items(self):
        return Post.objects.published().newest_first().only("url_path", "updated_at")

    def location(self, post):
        return post.url_path

    def lastmod(self, post):
        return post.updated_at

    def get_latest_lastmod(self):
        """For the index: one MAX() instead of Django's default, which loads every post."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class CategorySitemap(Sitemap):
    changefreq = "hourly"
    limit = 5000

    def items(self):
        return Category.objects.order_by("key").only("key")


SITEMAPS = {"posts": PostSitemap, "categories": CategorySitemap}
