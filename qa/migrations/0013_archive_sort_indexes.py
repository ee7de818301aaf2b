# Partial indexes of the public archive, one per sort and per narrowing filter (qa.selectors.archive_page).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_agency_kind_commune"),
        ("qa", "0012_routing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                name="qa_q_pub_newest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                models.OrderBy(models.F("view_count"), descending=True),
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                name="qa_q_pub_views_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                models.OrderBy(models.F("helpful_yes"), descending=True),
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                name="qa_q_pub_helpful_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                models.F("agency"),
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                name="qa_q_pub_agency_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                models.F("topic"),
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                name="qa_q_pub_topic_idx",
            ),
        ),
    ]
