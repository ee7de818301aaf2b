"""Template helpers of the dialogue pages."""

from django import template

from .. import video

register = template.Library()


@register.simple_tag
def video_of(session):
    """The session's video (kind and address) if it is set and still allowed, else None."""
    return video.classify(session.video_url)
