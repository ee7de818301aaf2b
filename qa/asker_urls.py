"""Routes for what an asker does from the tracking page beyond withdrawing (reply, rate, follow up).

Included by qa/urls.py; owned by the moderation workflow (issue 3).
"""

urlpatterns: list = []
