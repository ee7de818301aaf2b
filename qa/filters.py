"""Query parameters of the public archive: parsed and validated here, applied by qa.selectors.archive.

The FilterSet owns only the parsing (types, choices, a sane date range) so a bad
parameter is a 400 with a message for that parameter; which questions match and
in what order stays in the selector, shared by the web archive and the API.
"""

import django_filters
from django import forms
from django.db.models import QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency

from . import selectors
from .models import Question, Topic
from .text import nfc

SEARCH_MAX_LENGTH = 200


class ArchiveOrdering(TextChoices):
    NEWEST = "newest", _("Newest first")
    VIEWS = "views", _("Most viewed")
    HELPFUL = "helpful", _("Most helpful")
    RELEVANCE = "relevance", _("Most relevant")


class ArchiveFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class ArchiveFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label=_("Search"),
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words to look for in the question and its answer; accents and case are ignored."),
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        label=_("Agency"),
        help_text=_("Agency id; questions of the agencies under it are included."),
    )
    topic = django_filters.ModelChoiceFilter(queryset=Topic.objects.all(), label=_("Topic"), help_text=_("Topic id."))
    date_from = django_filters.DateFilter(
        label=_("Published from"), help_text=_("Published on or after this date (YYYY-MM-DD).")
    )
    date_to = django_filters.DateFilter(
        label=_("Published until"), help_text=_("Published on or before this date (YYYY-MM-DD).")
    )
    ordering = django_filters.ChoiceFilter(
        choices=ArchiveOrdering.choices,
        label=_("Order"),
        empty_label=None,
        help_text=_("Default: relevance when searching, otherwise newest."),
    )

    class Meta:
        model = Question
        fields: list[str] = []
        form = ArchiveFilterForm

    def archive_arguments(self) -> dict:
        """The cleaned parameters as keyword arguments of the archive selectors (qa.selectors.archive_page).

        What is public (published questions only) and in what order is decided by the selector, not here.
        """
        data = self.form.cleaned_data
        search = nfc(data.get("search"))
        ordering = data.get("ordering") or (ArchiveOrdering.RELEVANCE if search else ArchiveOrdering.NEWEST)
        return {
            "search": search,
            "agency": data.get("agency"),
            "topic": data.get("topic"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "ordering": str(ordering),
        }

    def filter_queryset(self, queryset: QuerySet[Question]) -> QuerySet[Question]:
        """The archive in a sort's order (schema generation and django-filter's own use; the API pages with
        archive_page)."""
        arguments = self.archive_arguments()
        if arguments["ordering"] == ArchiveOrdering.RELEVANCE:
            arguments["ordering"] = ArchiveOrdering.NEWEST
        return selectors.archive(**arguments)
