"""The generated columns (deadline, queue_tab) now read their expressions from the status table (qa.status).

Why: Django cannot alter a generated column's expression, so every new status meant a hand-written
migration. The new expressions (qa.status.DeadlineCase, QueueTabCase) deconstruct to their names
alone, so later changes of the table change no migration; qa.status_schema rebuilds a column whose
expression in the database differs from the table after every `migrate` (tests/qa/test_status.py
checks they are equal). This migration changes the state only: the SQL the table builds today is
the SQL of migrations 0005 and 0006, so nothing is rewritten.
"""

from django.db import migrations, models

import qa.status


class Migration(migrations.Migration):
    dependencies = [("qa", "0009_reach_phone_lookup")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="question",
                    name="deadline",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=qa.status.DeadlineCase(),
                        output_field=models.DateField(blank=True, null=True),
                        verbose_name="deadline",
                    ),
                ),
                migrations.AlterField(
                    model_name="question",
                    name="queue_tab",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=qa.status.QueueTabCase(),
                        output_field=models.CharField(blank=True, max_length=12, null=True),
                        verbose_name="queue tab",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
