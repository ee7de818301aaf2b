# The asker's commune-level unit (xã, phường, đặc khu), optional: for filtering and statistics by place (issue 13).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgchanges", "0002_new_kind_commune"),
        ("qa", "0013_archive_sort_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="place",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgchanges.administrativeunit",
                verbose_name="commune or ward",
            ),
        ),
    ]
