"""Top-level URLs: pages under a language-neutral path (language comes from the switcher/cookie)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("qa.api_urls")),
    path("staff/", include("qa.staff_api_urls")),
    path("dialogues/", include("dialogues.api_urls")),
    path("notifications/", include("notifications.api_urls")),
]

urlpatterns = [
    path("", include("qa.urls")),
    path("staff/", include("qa.staff_urls")),
    path("accounts/", include("accounts.urls")),
    path("dialogues/", include("dialogues.urls")),
    path("notifications/", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("about/", TemplateView.as_view(template_name="about.html"), name="about"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
