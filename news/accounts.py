"""Who may use the admin: membership of the editors' groups, kept in step with Django's flags.

- 编辑 import, edit, mark 重要 and submit posts for review, and write rules (news/admin/rules.py);
  审核 may also publish (the ``publish_post`` permission), delete rules and make and rename
  channels; 管理员 may do everything on the news models (those added later
  too), tags and accounts. After every ``migrate`` the groups exist and hold those
  permissions (``sync_groups``, a ``post_migrate`` receiver), so a model added by a later
  migration is not left out.
- Being in one of the groups is what lets a user into the admin: adding a user to a group (in the
  admin or through the ORM) sets ``is_staff``, removing them from every group clears it
  (superusers keep theirs). ``manage.py create_editor`` makes such a user.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_migrate, pre_delete

EDITORS, REVIEWERS, ADMINS = "编辑", "审核", "管理员"
GROUPS = (EDITORS, REVIEWERS, ADMINS)
EDITOR_PERMISSIONS = {
    "news": ["view_post", "add_post", "change_post", "view_category", "add_category",
             "change_category", "view_categoryalias", "view_legacyurl", "view_importrun",
             "view_postcategory", "add_postcategory", "change_postcategory", "delete_postcategory",
             "view_taggedpost", "add_taggedpost", "change_taggedpost", "delete_taggedpost",
             "view_tombstone", "view_security", "view_securitychoice", "add_securitychoice",
             "change_securitychoice", "delete_securitychoice", "view_channel", "view_rule", "add_rule",
             "change_rule"],
    "taggit": ["view_tag", "add_tag", "change_tag"],
}
REVIEWER_EXTRA = ["publish_post", "delete_rule", "add_channel", "change_channel"]
ADMIN_APPS = ["news", "taggit", "auth"]


def sync_groups(**kwargs):
    """The editors' groups exist and hold at least their permissions (nothing is taken away)."""
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    for app_label, codenames in EDITOR_PERMISSIONS.items():
        editors.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.add(*editors.permissions.all(), *Permission.objects.filter(
        content_type__app_label="news", codename__in=REVIEWER_EXTRA))
    admins, _ = Group.objects.get_or_create(name=ADMINS)
    admins.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


def may_use_admin(user):
    return user.is_superuser or user.groups.filter(name__in=GROUPS).exists()


def _update_staff(user_ids):
    User = get_user_model()
    for user in User.objects.filter(pk__in=list(user_ids)):
        allowed = may_use_admin(user)
        if user.is_staff != allowed:
            User.objects.filter(pk=user.pk).update(is_staff=allowed)


def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``user.groups.add()/remove()/clear()`` and ``group.user_set.…``, the admin's forms included."""
    if action == "pre_clear" and reverse:
        instance._finews_clearing = list(instance.user_set.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            _update_staff([instance.pk])
        elif action == "post_clear":
            _update_staff(getattr(instance, "_finews_clearing", []))
        else:
            _update_staff(pk_set or [])


def group_deleting(sender, instance, **kwargs):
    instance._finews_members = list(instance.user_set.values_list("pk", flat=True))


def group_deleted(sender, instance, **kwargs):
    _update_staff(getattr(instance, "_finews_members", []))


def connect(app_config):
    """Connect the receivers (called once, from ``NewsConfig.ready()``)."""
    through = get_user_model().groups.through
    post_migrate.connect(sync_groups, sender=app_config, dispatch_uid="finews:sync_groups")
    m2m_changed.connect(groups_changed, sender=through, dispatch_uid="finews:groups_changed")
    pre_delete.connect(group_deleting, sender=Group, dispatch_uid="finews:group_deleting")
    post_delete.connect(group_deleted, sender=Group, dispatch_uid="finews:group_deleted")
