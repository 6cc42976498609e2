"""``manage.py create_editor NAME``: a user who may sign in to the admin as an editor."""
import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from news.accounts import ADMINS, EDITORS


class Command(BaseCommand):
    help = "创建一个可以登录后台的编辑账号（加入“编辑”组，或用 --admin 加入“管理员”组）。密码从终端输入，或从标准输入读一行。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--admin", action="store_true", help="加入“管理员”组（可以做所有事）")

    def handle(self, *args, username, email, admin, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名 {username} 已被使用")
        if sys.stdin.isatty():
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再输一次："):
                raise CommandError("两次输入的密码不一样")
        else:
            password = sys.stdin.readline().rstrip("\n")
        user = User(username=username, email=email)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("密码不合要求：" + "；".join(error.messages)) from None
        user.set_password(password)
        user.save()
        group = Group.objects.get(name=ADMINS if admin else EDITORS)
        user.groups.add(group)  # membership is what lets them in (news/accounts.py)
        self.stdout.write(f"已创建 {username}，属于“{group.name}”组，可以在 /admin/ 登录。")
