"""Atom feed of newly published answers: public fields only (never the asker or the original text)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Question

FEED_SIZE = 30


class LatestAnswersFeed(Feed):
    feed_type = Atom1Feed
    description_template = "qa/feed_item.html"

    def title(self) -> str:
        return f"{settings.PORTAL_NAME} · {_('Published answers')}"

    def subtitle(self) -> str:
        return str(_("Questions from citizens and businesses, and the agencies' answers."))

    def link(self) -> str:
        return reverse("qa:archive")

    def feed_url(self) -> str:
        return reverse("qa:feed")

    def items(self) -> list[Question]:
        return list(selectors.archive()[:FEED_SIZE])

    def item_title(self, item: Question) -> str:
        return item.public_title

    def item_link(self, item: Question) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Question) -> str:
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    def item_guid_is_permalink(self, item: Question) -> bool:
        return True

    def item_pubdate(self, item: Question):
        return item.published_at

    def item_updateddate(self, item: Question):
        return item.published_at

    def item_author_name(self, item: Question) -> str:
        # The agency answers; the asker is never named.
        return item.agency.name

    def item_categories(self, item: Question) -> list[str]:
        return [item.agency.name, item.topic.name]
