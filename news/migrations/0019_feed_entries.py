# Feed entries (news/models/feeds.py). Every post there already gets its entry id from the address
# it has now, in one statement (the same SQL on SQLite and PostgreSQL); its text digest is left
# empty, so the first write of it records the digest without calling it an edit.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0018_json_as_text'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedEntry',
            fields=[
                ('post', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='feed_entry', serialize=False, to='news.post', verbose_name='文章')),
                ('path', models.CharField(max_length=1000, verbose_name='条目 id（网址路径）')),
                ('digest', models.CharField(blank=True, max_length=32, verbose_name='标题和正文的摘要')),
                ('edited_at', models.DateTimeField(blank=True, null=True, verbose_name='正文或标题修改于')),
            ],
            options={
                'verbose_name': '订阅条目',
                'verbose_name_plural': '订阅条目',
            },
        ),
        migrations.RunSQL(
            "INSERT INTO news_feedentry (post_id, path, digest, edited_at) "
            "SELECT id, CASE WHEN url_path LIKE '%.html' THEN substr(url_path, 1, length(url_path) - 5) "
            "ELSE url_path END, '', NULL FROM news_post",
            migrations.RunSQL.noop,
        ),
    ]
