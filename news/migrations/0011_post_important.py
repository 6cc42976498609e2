"""重要: a flag on posts, and a partial index for the 只看重要 listings.

The column is added in place (frozen SQL): Django would rebuild the whole post table on SQLite
to add it, minutes at a million posts. The database default fills existing rows at once."""
from django.db import migrations, models

ADD = 'ALTER TABLE "news_post" ADD COLUMN "important" boolean NOT NULL DEFAULT false'
DROP = 'ALTER TABLE "news_post" DROP COLUMN "important"'
INDEX = ('CREATE INDEX "post_important" ON "news_post" ("published_at" DESC, "source_path" DESC) '
         'WHERE "important"')


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0010_staged_uploads"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(ADD, DROP),
                migrations.RunSQL(INDEX, 'DROP INDEX "post_important"'),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="post",
                    name="important",
                    field=models.BooleanField(
                        default=False, verbose_name="重要",
                        help_text="标为重要的消息在首页和滚动新闻中加红显示，并出现在“只看重要”中"),
                ),
                migrations.AddIndex(
                    model_name="post",
                    index=models.Index(condition=models.Q(("important", True)), fields=["-published_at", "-source_path"],
                                       name="post_important"),
                ),
            ],
        ),
    ]
