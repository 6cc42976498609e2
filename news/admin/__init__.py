"""Editors' admin: posts, categories, tags, redirects and the import audit, in Chinese.

The admin only presents: every change goes through the models' write path (``Post.save()``, the
post queryset's bulk methods, ``Category.merge_into``), and every bulk change is written to the
history, one entry per post, with the ids taken before the change.
"""

from django.contrib import admin

from news.admin import categories, posts, records, rules, securities, tags, tokens  # noqa: F401 (each registers its admins)

admin.site.site_header = "金融消息 管理"
admin.site.site_title = "金融消息 管理"
admin.site.index_title = "内容管理"

# Background jobs are followed on their imports (导入记录 and the upload's own page), in Chinese;
# django-tasks' English "Task results" pages are not shown beside them.
try:  # its admin module first: news comes before django_tasks_db in INSTALLED_APPS
    import django_tasks_db.admin  # noqa: F401
    from django_tasks_db.models import DBTaskResult
except ImportError:  # another task backend
    DBTaskResult = None
if DBTaskResult is not None and admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
