"""The two groups editors are put in: 编辑 (import, edit, publish) and 管理员 (everything).

Permissions are normally created after all migrations ran; they are created here first so the
groups get theirs on the very first ``migrate``.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "news": ["view_post", "add_post", "change_post", "view_category", "add_category",
             "change_category", "view_categoryalias", "view_legacyurl", "view_importrun",
             "view_postcategory", "add_postcategory", "change_postcategory", "delete_postcategory",
             "view_taggedpost", "add_taggedpost", "change_taggedpost", "delete_taggedpost"],
    "taggit": ["view_tag", "add_tag", "change_tag"],
}
ADMIN_APPS = ["news", "taggit", "auth"]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="编辑")
    for app_label, codenames in EDITOR_PERMISSIONS.items():
        editors.permissions.add(*Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames))
    admins, _ = Group.objects.get_or_create(name="管理员")
    admins.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["编辑", "管理员"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0003_write_path_and_run_state"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
