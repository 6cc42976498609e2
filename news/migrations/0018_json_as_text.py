# The JSON fields' encoder writes text as text (news/models/fields.py): nothing changes in the
# database (rows written before stay valid JSON), so only the migration state is altered — an
# AlterField would have SQLite copy the whole post table.

import news.models.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0017_moved_job_paths'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='post',
                name='extra',
                field=models.JSONField(blank=True, default=dict, encoder=news.models.fields.TextJSONEncoder,
                                       verbose_name='其他 front matter'),
            ),
            migrations.AlterField(
                model_name='revision',
                name='data',
                field=models.JSONField(default=dict, encoder=news.models.fields.TextJSONEncoder, verbose_name='内容'),
            ),
        ]),
    ]
