"""Pre-aggregated figures: one row per day × agency × topic × channel, rebuilt from the questions' audit events.

The public statistics, the API and the six-monthly report sum these rows for a
period instead of scanning the question table per request. Days are calendar
days in Asia/Ho_Chi_Minh. `stats.aggregation` is the only writer.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from qa.models import Topic

# The counters of DailyStat, in the order tables and CSV files show them.
COUNTERS = (
    "received",
    "accepted",
    "answered",
    "answered_on_time",
    "published",
    "unpublished",
    "transferred_out",
    "transferred_in",
    "rejected_spam",
    "rejected_duplicate",
    "rejected_out_of_scope",
    "rejected_abusive",
    "rejected_incomplete",
    "withdrawn",
    "answered_by_reference",
    "ratings",
    "ratings_satisfied",
    "working_days_sum",
)


class Counters(models.Model):
    """The COUNTERS, shared by the daily rows and their sums at every level."""

    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_on_time = models.PositiveIntegerField(default=0)
    published = models.PositiveIntegerField(default=0)
    unpublished = models.PositiveIntegerField(default=0)
    transferred_out = models.PositiveIntegerField(default=0)
    transferred_in = models.PositiveIntegerField(default=0)
    rejected_spam = models.PositiveIntegerField(default=0)
    rejected_duplicate = models.PositiveIntegerField(default=0)
    rejected_out_of_scope = models.PositiveIntegerField(default=0)
    rejected_abusive = models.PositiveIntegerField(default=0)
    rejected_incomplete = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    # Closed by sending a published answer (qa status answered_by_reference), not counted in `answered`.
    answered_by_reference = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    ratings_satisfied = models.PositiveIntegerField(default=0)
    # Sum of working days taken by the questions answered (their count is `answered`).
    working_days_sum = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


# DERIVED: the statistics rows only ever hold ids read from the questions (which have real foreign keys), are
# rebuilt whole from the events, and are deleted with their agency or topic by Django's collector
# (on_delete=CASCADE still holds). A database constraint would add a trigger per row, checked at commit: at a
# million questions the full rebuild's COMMIT spent half a minute on them.


class Histogram(models.Model):
    """A histogram row: `count` questions took `working_days` to answer."""

    working_days = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class LevelKeys(models.Model):
    """The key of a summed row: at a coarser level the agency or topic (and channel) is left empty."""

    agency = models.ForeignKey(Agency, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    topic = models.ForeignKey(Topic, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=20)

    class Meta:
        abstract = True


class DailyStat(Counters):
    """What happened on one day to the questions of one agency, topic and channel."""

    day = models.DateField()
    # Derived rows written by the million: no foreign-key trigger per row (see DERIVED below).
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "agency", "topic", "channel"], name="stats_daily_unique"),
        ]
        indexes = [models.Index(fields=["agency", "day"], name="stats_daily_agency_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}/{self.topic_id}/{self.channel}"


class DailyDuration(Histogram):
    """A histogram of working days taken to answer: `count` questions answered on `day` took `working_days`.

    Summed over a period it gives the exact median and 90th percentile without storing one row per question.
    """

    day = models.DateField()
    # Derived rows written by the million: no foreign-key trigger per row (see DERIVED below).
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency", "topic", "channel", "working_days"], name="stats_duration_unique"
            ),
        ]
        indexes = [models.Index(fields=["day", "agency"], name="stats_duration_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}: {self.working_days}d ×{self.count}"


PLACE_COUNTERS = ("received", "answered", "answered_on_time")
# What each level of the monthly place rows keeps of (agency, topic): a page without an agency or topic filter
# sums one row per unit and month, whatever the number of agencies and topics.
PLACE_LEVELS = [("full", "full"), ("place", "place"), ("agency", "agency"), ("topic", "topic")]


class PlaceCounters(models.Model):
    """Questions by the asker's commune-level unit (qa.Question.place): received, answered, answered on time.

    Ids only (no foreign keys, as the other derived rows: written by the thousand, read by sums): the unit lives
    in orgchanges, which the statistics do not import."""

    place_id = models.PositiveIntegerField()
    agency_id = models.PositiveIntegerField(null=True)
    topic_id = models.PositiveIntegerField(null=True)
    received = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyPlaceStat(PlaceCounters):
    """One day × unit × agency × topic (the agency holding the question then, as in DailyStat)."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="stats_place_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} place {self.place_id}"


class MonthlyPlaceStat(PlaceCounters):
    """DailyPlaceStat summed over a calendar month at one of PLACE_LEVELS."""

    month = models.DateField()
    level = models.CharField(max_length=6, choices=PLACE_LEVELS, default="full")

    class Meta:
        indexes = [
            models.Index(fields=["level", "month"], name="stats_place_month_idx"),
            models.Index(fields=["agency_id", "month"], name="stats_place_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.level} place {self.place_id}"


class DailyLiveStat(models.Model):
    """Live dialogues of one host agency on one day."""

    day = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    sessions_held = models.PositiveIntegerField(default=0)
    live_received = models.PositiveIntegerField(default=0)
    live_answered = models.PositiveIntegerField(default=0)
    live_forwarded = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "agency"], name="stats_live_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} live"


class RefreshState(models.Model):
    """When the periodic refresh last started: the next run rebuilds the days touched since (with a margin)."""

    name = models.CharField(max_length=40, unique=True)
    last_started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.last_started_at:%Y-%m-%d %H:%M}"


class Report(models.Model):
    """A six-monthly report asked for by an official: generated by a Celery task, kept to download again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(upload_to="reports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period} {self.agency_id or 'portal'} {self.status}"


class RisingItem(models.Model):
    """A topic or term whose last-7-days count is unusually high against its own last 8 weeks (stats.rising).

    Rebuilt every day; `public` rows are computed from published questions only (the public page), the others
    from every question received (the staff dashboard, per agency in `agency`, or all agencies when empty).
    """

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        TERM = "term", _("Term")

    day = models.DateField()
    public = models.BooleanField(default=False)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120)  # topic id, or the folded term
    label = models.CharField(max_length=200)
    count = models.PositiveIntegerField()
    baseline = models.FloatField()  # mean weekly count over the 8 weeks before
    score = models.FloatField()
    question_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["-score"]
        indexes = [models.Index(fields=["day", "public", "agency"], name="stats_rising_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.label} {self.count}"


# Levels of the monthly rows: summed over a month at three grains, so that a long period's page reads a few
# thousand rows whatever the question count. "full": agency × topic × channel (durations: agency × topic);
# "agency": every topic of an agency (topic empty; durations: channel empty too); "topic": every agency (agency
# empty, channel empty). stats.selectors picks the coarsest level that still answers the question asked.
LEVELS = [("full", "full"), ("agency", "agency"), ("topic", "topic")]


class MonthlyStat(LevelKeys, Counters):
    """DailyStat summed over a calendar month at one of LEVELS: long periods read these."""

    month = models.DateField()  # the first day of the month
    level = models.CharField(max_length=6, choices=LEVELS, default="full")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "month", "agency", "topic", "channel"], name="stats_monthly_level_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "month"], name="stats_monthly_level_idx"),
            models.Index(fields=["agency", "month"], name="stats_monthly_agency_idx"),
            models.Index(fields=["topic", "month"], name="stats_monthly_topic_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id}/{self.topic_id}/{self.channel}"


class MonthlyDuration(LevelKeys, Histogram):
    """DailyDuration summed over a calendar month at one of LEVELS (the channel is always empty)."""

    month = models.DateField()
    level = models.CharField(max_length=6, choices=LEVELS, default="full")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "month", "agency", "topic", "working_days"], name="stats_monthly_dur_level_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "month"], name="stats_monthly_dur_level_idx"),
            models.Index(fields=["agency", "month"], name="stats_monthly_dur_agency_idx"),
            models.Index(fields=["topic", "month"], name="stats_monthly_dur_topic_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id}: {self.working_days}d ×{self.count}"


# The same levels by day, without the "full" one (that is DailyStat itself): a custom range's edge days read
# these instead of every agency × topic × channel row of those days (30 days at 1,000,000 questions: about
# 9,000 agency rows instead of 46,000 full ones). Written with the daily rows by stats.aggregation.
DAY_LEVELS = [("agency", "agency"), ("topic", "topic")]


class DailyLevelStat(LevelKeys, Counters):
    """DailyStat summed over one day at the `agency` or `topic` level (see LEVELS)."""

    day = models.DateField()
    level = models.CharField(max_length=6, choices=DAY_LEVELS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "day", "agency", "topic", "channel"], name="stats_daylevel_unique"
            ),
        ]
        indexes = [models.Index(fields=["level", "day"], name="stats_daylevel_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.level} {self.agency_id}/{self.topic_id}/{self.channel}"


class DailyLevelDuration(LevelKeys, Histogram):
    """DailyDuration summed over one day at the `agency` or `topic` level (the channel is always empty)."""

    day = models.DateField()
    level = models.CharField(max_length=6, choices=DAY_LEVELS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "day", "agency", "topic", "working_days"], name="stats_daylevel_dur_unique"
            ),
        ]
        indexes = [models.Index(fields=["level", "day"], name="stats_daylevel_dur_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.level} {self.agency_id}: {self.working_days}d ×{self.count}"
