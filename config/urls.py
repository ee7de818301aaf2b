"""Top-level URLs: pages under a language-neutral path (language comes from the switcher/cookie)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from stats import views as stats_views

from .converters import IdConverter

register_converter(IdConverter, "id")  # before the includes below: the apps' URLs use <id:…>


api_v1 = [
    path("", include("qa.api_urls")),
    path("staff/", include("qa.staff.api_urls")),
    path("dialogues/", include("dialogues.api_urls")),
    path("notifications/", include("notifications.api_urls")),
    path("statistics/", include("stats.api_urls")),
    path("reorganisations/", include("orgchanges.api_urls")),
]

urlpatterns = [
    path("", include("qa.urls")),
    # The staff dashboard lives with the statistics; mounted before the panel's own routes.
    path("staff/dashboard/", stats_views.staff_dashboard, name="staff-dashboard"),
    path("staff/", include("qa.staff.urls")),
    path("accounts/", include("accounts.urls")),
    path("dialogues/", include("dialogues.urls")),
    path("notifications/", include("notifications.urls")),
    path("statistics/", include("stats.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start script from ?script: no inline script under the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("about/", TemplateView.as_view(template_name="about.html"), name="about"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# JSON under /api/, the site's templates elsewhere; a translated 500, and 503 while the database is down
# (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
