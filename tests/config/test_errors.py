"""503 while the database is down, 500 otherwise: translated, JSON under /api/, no stack trace (config.errors)."""

import json
import sys

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client, RequestFactory

from config import errors

pytestmark = [pytest.mark.sqlite]

VI_503 = "Dịch vụ tạm thời gián đoạn"
EN_503 = "Service temporarily unavailable"


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = "tests.config.error_urls"
    settings.SERVICE_UNAVAILABLE_RETRY_AFTER = 15
    return Client(raise_request_exception=False)


def test_the_project_uses_the_handler_and_the_middleware():
    from config import urls

    assert urls.handler500 == "config.errors.server_error"
    assert "config.errors.DatabaseUnavailableMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize("path", ["/db/", "/gone/"])
def test_a_page_answers_a_vietnamese_503_by_default(client, path):
    # No django_db mark: any query while rendering would raise, and the page would lack its template's text.
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Language"] == "vi"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert VI_503 in body and "Vui lòng thử lại sau ít phút" in body
    assert "Những gì đã được lưu trước đó vẫn an toàn" in body and "Quay về trang chủ" in body
    assert 'lang="vi"' in body
    assert "Connection refused" not in body and "Traceback" not in body


@pytest.mark.parametrize(
    "headers", [{"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=en"}]
)
def test_a_page_answers_in_english_to_who_chose_english(client, headers):
    response = client.get("/db/", **headers)
    assert response.status_code == 503
    assert response["Content-Language"] == "en"
    body = response.content.decode()
    assert EN_503 in body and "Please try again in a moment" in body
    assert VI_503 not in body


def test_the_api_answers_json_503_with_retry_after(client):
    response = client.get("/api/v1/db/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "15"
    assert response.json() == {
        "detail": "The service is temporarily unavailable. Please try again in a moment.",
        "code": "service_unavailable",
    }
    vietnamese = client.post("/api/v1/db/", {}, content_type="application/json")
    assert vietnamese.status_code == 503
    assert vietnamese.json()["detail"].startswith("Dịch vụ tạm thời không hoạt động")


def test_other_failures_are_a_translated_500_without_details(client):
    response = client.get("/bug/")
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    body = response.content.decode()
    assert "Đã có lỗi xảy ra" in body
    assert "secret detail" not in body and "Traceback" not in body and "Server Error (500)" not in body

    english = client.get("/bug/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Something went wrong" in english.content.decode()

    api = client.get("/api/v1/bug/", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 500
    assert api.json() == {
        "detail": "Something went wrong on our side and your request was not completed. Please try again later.",
        "code": "server_error",
    }


def test_handler500_picks_503_for_a_database_failure_outside_the_view():
    """A failure in middleware (saving the session, loading the user) reaches handler500, not the middleware."""
    request = RequestFactory().get("/api/v1/questions/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert sys.exc_info()[0] is OperationalError
        response = errors.server_error(request)
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "service_unavailable"
    assert response["Retry-After"]
    try:
        raise KeyError("x")
    except KeyError:
        assert errors.server_error(RequestFactory().get("/")).status_code == 500


def test_the_middleware_leaves_other_exceptions_to_django():
    middleware = errors.DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, RuntimeError("x")) is None
    assert middleware.process_exception(request, OperationalError("x")).status_code == 503


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title"),
    [({}, "Không tìm thấy trang"), ({"HTTP_ACCEPT_LANGUAGE": "en"}, "Page not found")],
)
def test_an_unknown_page_is_a_translated_404_page_and_json_under_the_api(headers, title):
    page = Client().get("/khong-co-trang-nay/", **headers)
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert title in page.content.decode()
    api = Client().get("/api/v1/khong-co/", **headers)
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"
