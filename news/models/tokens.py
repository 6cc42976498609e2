"""Tokens the scraper and other programs write through the API with."""
import hashlib
import secrets

from django.db import models


class IngestToken(models.Model):
    """A scraper's key to ``POST /api/posts/`` (news/ingest/api.py). Only a hash of the key is stored;
    the key itself is shown once, by ``manage.py ingest_token NAME``."""

    name = models.CharField("名称", max_length=100, unique=True)
    prefix = models.CharField("开头", max_length=12, editable=False, help_text="用来认出是哪把钥匙")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    review = models.BooleanField(
        "先送审核", default=False, help_text="勾选后，这个令牌新建的文章先是“待审核”，由审核或管理员发布")

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def digest(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, name):
        """A new token named ``name``: ``(token, key)``; the key is not kept."""
        key = "fin_" + secrets.token_urlsafe(32)
        return cls.objects.create(name=name, prefix=key[:10], key_hash=cls.digest(key)), key

    @classmethod
    def holder(cls, key):
        """The live token whose key is ``key``, or None."""
        return cls.objects.filter(key_hash=cls.digest(key), revoked_at__isnull=True).first()
