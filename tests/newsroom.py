"""A small site for the freshness tests, written through the production write path
(tests/factories.py), and the write kinds they try on it.

``target`` (key ``tgt``) and ``other`` (``oth``) are the sources the writes touch; twenty
unrelated sources (``u00``…``u19``, three posts each, 2021) are what no write touches: their
category pages and articles must stay cached whatever happens to the others. Used in-process by
tests/test_invalidation.py and, run by ``manage.py shell``, by tests/test_live_invalidation.py.
"""
import datetime

from news.jekyll.dates import SITE_TZ

from . import factories


def at(day, hour, minute=0, year=2022, month=3):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SITE_TZ)


def build():
    from django.contrib.auth.models import User

    from news.models import Category

    factories.category("tgt", "目标源")
    factories.category("oth", "另一源")
    factories.category("oth2", "待合并源")
    for n in range(1, 4):
        factories.post(f"目标{n}", categories=["tgt"], tags=["目标标签"], when=at(1, 9 + n))
    factories.post("另一1", categories=["oth"], tags=["另一标签"], when=at(1, 8))
    factories.post("另一2", categories=["oth"], tags=["另一标签"], when=at(1, 7))
    factories.post("合并来的", categories=["oth2"], tags=["另一标签"], when=at(1, 6))
    factories.post("待删的", categories=["tgt"], tags=["目标标签"], when=at(1, 9, 30))
    for source in range(20):
        factories.category(f"u{source:02d}", f"无关源{source}")
        for n in range(3):
            factories.post(f"无关{source}-{n}", categories=[f"u{source:02d}"], tags=[f"无关标签{source}"],
                           when=at(1 + n, 10, source, year=2021))
    if not User.objects.filter(username="chief").exists():
        User.objects.create_superuser("chief", "chief@example.com", "pw-chief-2026")
    return Category.objects.count()


def unrelated_pages():
    """Fifty articles and twenty category pages no write here touches (paths as readers use)."""
    from news.models import Post

    articles = list(Post.objects.filter(title__startswith="无关").order_by("pk").values_list("url_path", flat=True))
    return articles[:50], [f"/category/u{n:02d}.html" for n in range(20)]


# --- writes made through the ORM (the admin's and the importer's are made by the tests) --------
def tags_add():
    from news.models import Post

    Post.objects.get(title="目标1").tags.add("另一标签")


def tags_remove():
    from news.models import Post

    Post.objects.get(title="另一2").tags.remove("另一标签")


def tags_clear():
    from news.models import Post

    Post.objects.get(title="另一1").tags.clear()


def categories_add():
    from news.models import Category, Post

    Post.objects.get(title="目标2").categories.add(Category.objects.get(key="oth"))


def categories_remove():
    from news.models import Category, Post

    Post.objects.get(title="另一2").categories.remove(Category.objects.get(key="oth"))


def category_posts_add():
    from news.models import Category, Post

    Category.objects.get(key="oth").posts.add(Post.objects.get(title="目标3"))


def tag_rename():
    from taggit.models import Tag

    tag = Tag.objects.get(name="目标标签")
    tag.name = "改名的标签"
    tag.save()


def delete():
    from news.models import Post

    Post.objects.get(title="待删的").delete()


ORM_WRITES = {f.__name__: f for f in (tags_add, tags_remove, tags_clear, categories_add, categories_remove,
                                       category_posts_add, tag_rename, delete)}

# What readers must see after each write: (page, text, shown?). Pages use titles and keys only,
# so the live test can check them without the database.
EXPECT = {
    "tags_add": [("/tag/另一标签/", "目标1", True)],
    "tags_remove": [("/tag/另一标签/", "另一2", False)],
    "tags_clear": [("/tag/另一标签/", "另一1", False)],
    "categories_add": [("/category/oth.html", "目标2", True)],
    "categories_remove": [("/category/oth.html", "另一2", False)],
    "category_posts_add": [("/category/oth.html", "目标3", True)],
    "tag_rename": [("/tag/改名的标签/", "目标1", True), ("/", "改名的标签", True)],
    "delete": [("/category/tgt.html", "待删的", False), ("/", "待删的", False), ("/tag/目标标签/", "待删的", False)],
    "admin_save": [("/category/tgt.html", "目标1（改）", True), ("/", "目标1（改）", True),
                   ("/tag/目标标签/", "目标1（改）", True), ("/feed.xml", "目标1（改）", True),
                   ("/2022/03/01/", "目标1（改）", True)],
    "unpublish": [("/category/tgt.html", "目标2", False), ("/", "目标2", False), ("/feed.xml", "目标2", False)],
    "publish": [("/category/tgt.html", "目标2", True), ("/", "目标2", True)],
    "move": [("/category/tgt.html", "另一1", True), ("/category/oth.html", "另一1", False)],
    "add_tag": [("/tag/另一标签/", "目标3", True)],
    "remove_tag": [("/tag/目标标签/", "目标3", False)],
    "merge": [("/category/tgt.html", "合并来的", True)],
    "import": [("/category/tgt.html", "导入的新闻", True), ("/", "导入的新闻", True),
               ("/tag/目标标签/", "导入的新闻", True), ("/category/tgt/feed.xml", "导入的新闻", True)],
    "import_rename": [("/category/tgt.html", "新名字的目标源", True), ("/category/", "新名字的目标源", True)],
    "api": [("/category/tgt.html", "接口送来的", True), ("/", "接口送来的", True), ("/2022/03/01/", "接口送来的", True)],
}

NEW_POST = ("---\ntitle: {title}\ndate: 2022-03-01 13:00:00 +0800\ncategories: tgt\ntags: 目标标签\n---\n正文")
