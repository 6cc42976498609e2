"""A batch through the API is bounded by what one web worker can hold (issue 33, item 3): a body
over ``FINEWS_API_MAX_BODY_BYTES`` is refused, naming the limit, before it is read; one within it
costs the worker about the body once, not many times over (bench/api_memory_bench.py has the
worker's real figures; this holds the Python heap to it)."""
import json
import tracemalloc

import pytest
from django.test import Client, RequestFactory, override_settings

from news.ingest.api import posts
from news.models import Post

from .test_api import new_key

pytestmark = pytest.mark.django_db


def batch(posts, kb):
    line = "央行今日开展逆回购操作，市场流动性保持合理充裕。"  # 24 characters, 72 bytes
    body = "\n\n".join(line * (kb * 1024 // 72 // 20) for _ in range(20))
    return json.dumps([{"path": f"_posts/2022-02-17-big{i}.md",
                        "content": f"---\ntitle: 第{i}篇\ncategories: emnews\n---\n{body}"} for i in range(posts)],
                      ensure_ascii=False).encode()


class Unread:
    """A request body that must not be read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@override_settings(FINEWS_API_MAX_BODY_BYTES=1024 * 1024)
def test_a_body_over_the_limit_is_refused_before_it_is_read():
    key = new_key()
    response = Client().generic("POST", "/api/posts/", b"", content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {key}", CONTENT_LENGTH=str(1024 * 1024 + 1),
                                **{"wsgi.input": Unread()})
    assert response.status_code == 413
    assert "1048576 字节（1 MB）" in response.json()["error"] and "FINEWS_API_MAX_BODY_BYTES" in response.json()["error"]
    # A chunked body (no length said) is read up to the limit and refused there.
    data = batch(6, 200)
    response = Client().generic("POST", "/api/posts/", data, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="")
    assert response.status_code == 413 and not Post.objects.exists()


def test_a_big_batch_costs_about_its_body_once():
    key = new_key()
    warm = Client().post("/api/posts/", batch(1, 1), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert warm.status_code == 200  # (a list: 200) the modules a first request loads are not the batch's
    data = batch(40, 200).replace(b"big", b"new")  # 8 MB of Chinese text
    request = RequestFactory().post("/api/posts/", data, content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {key}")  # the bytes a server receives
    tracemalloc.start()
    try:
        response = posts(request)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200 and Post.objects.count() == 41
    assert peak <= 3 * len(data), f"{peak / len(data):.1f}× the body"
