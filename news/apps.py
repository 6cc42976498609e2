from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "新闻"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import accounts, changes

        changes.connect()
        accounts.connect(self)
