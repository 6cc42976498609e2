from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "新闻"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import accounts, changes, push
        from .signals import pages_changed

        changes.connect()
        accounts.connect(self)
        pages_changed.connect(push.published, dispatch_uid="finews:push")
