"""Tags in the admin (issue 33, item 4): finews's own list and merge, through the write path and
with permissions, in place of taggit's merge view (which let anyone on the staff in and moved
none of finews's links)."""
import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from taggit.models import Tag

from news.models import Post, TaggedPost

from . import factories

pytestmark = pytest.mark.django_db
TAGS = "/admin/taggit/tag/"


def staff(name, *codenames):
    user = User.objects.create_user(name, password=f"pw-{name}-2026", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_taggits_merge_view_is_gone():
    nobody = staff("nobody")
    assert nobody.get(f"{TAGS}merge-tags/").status_code in (302, 403, 404)
    before = Tag.objects.count()
    nobody.post(f"{TAGS}merge-tags/", {"new_tag_name": "新标签"})
    assert Tag.objects.count() == before


def test_an_editor_merges_tags_and_every_link_moves(client):
    posts = [factories.post(f"第{n}篇", tags=("央行" if n % 2 else "人民银行",)) for n in range(19)]
    both = factories.post("两个都有", tags=("人民银行", "货币", "央行"))
    page = client.get("/tag/央行/").content.decode()  # cached before the merge
    assert "第2篇" not in page
    editor = staff("editor", "view_tag", "change_tag", "delete_tag")
    response = editor.post(TAGS, {"action": "merge", "target_name": "央行", "_selected_action": [
        Tag.objects.get(name="人民银行").pk]}, follow=True)
    assert "已把 1 个标签合并到 央行（11 篇文章）" in response.content.decode()
    assert not Tag.objects.filter(name="人民银行").exists()
    assert TaggedPost.objects.filter(tag__name="央行").count() == 20
    assert [link.tag.name for link in both.tag_links.order_by("position")] == ["央行", "货币"]
    page = client.get("/tag/央行/").content.decode()
    assert all(post.title in page for post in posts[:15])  # the tag's first page (newest first)
    assert client.get("/tag/人民银行/").status_code == 404
    assert "20" in editor.get(TAGS).content.decode()  # the count the database keeps
    assert Post.objects.get(pk=posts[0].pk).held_at is not None  # an editor's change: held


def test_merging_needs_change_and_delete_permission():
    factories.post("一篇", tags=("甲", "乙"))
    viewer = staff("viewer", "view_tag", "change_tag")
    html = viewer.get(TAGS).content.decode()
    assert 'value="merge"' not in html
    viewer.post(TAGS, {"action": "merge", "target_name": "甲", "_selected_action": [Tag.objects.get(name="乙").pk]})
    assert Tag.objects.filter(name="乙").exists()


def test_a_missing_target_is_an_error_and_nothing_changes():
    factories.post("一篇", tags=("甲",))
    editor = staff("editor", "view_tag", "change_tag", "delete_tag")
    response = editor.post(TAGS, {"action": "merge", "target_name": "没有这个", "_selected_action": [
        Tag.objects.get(name="甲").pk]}, follow=True)
    assert "没有名为“没有这个”的标签" in response.content.decode() and Tag.objects.filter(name="甲").exists()
