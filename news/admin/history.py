"""What every admin write leaves behind: the admin history entries, one per changed object, the
revision label of a bulk action, and the hold that keeps imports off an edited post."""
import functools

from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from news.changes import revisions
from news.models import Post


def log_changes(request, model, ids, message, hold=True):
    """One history entry per changed object; posts an editor changed are held against imports
    and the scraper (news/ingest/write.py) until released."""
    if ids:
        LogEntry.objects.log_actions(request.user.pk, model.objects.filter(pk__in=ids), CHANGE,
                                     change_message=message, single_object=False)
        if model is Post and hold:
            hold_posts(ids)


def revised(label):
    """A bulk action's writes are recorded under its name, as the editor's (news/changes/revisions.py)."""
    def decorate(action):
        @functools.wraps(action)
        def run(self, request, queryset):
            with revisions.acting(label, user=request.user):
                return action(self, request, queryset)
        return run
    return decorate


def hold_posts(ids):
    Post.objects.filter(pk__in=ids).update(held_at=timezone.now())
