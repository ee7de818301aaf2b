"""API tokens for integrators: create, regenerate, revoke, and that TokenAuthentication accepts them."""

import pytest
from django.urls import path, reverse
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.services import api_token_regenerate, api_token_revoke

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


class WhoAmI(APIView):
    """Uses the project's REST_FRAMEWORK authentication classes (not overridden here)."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"email": request.user.email})


urlpatterns = [path("whoami/", WhoAmI.as_view())]


def _post(client, action):
    return client.post(reverse("accounts:api_token"), {"action": action})


def test_create_shows_key_once_then_only_date(client, citizen):
    client.force_login(citizen)
    response = _post(client, "regenerate")
    assert response.status_code == 302
    assert response["Location"].endswith("#api-token")
    token = Token.objects.get(user=citizen)
    first_view = client.get(reverse("accounts:profile")).content.decode()
    assert token.key in first_view
    second_view = client.get(reverse("accounts:profile")).content.decode()
    assert token.key not in second_view
    assert reverse("accounts:api_token") in second_view


def test_regenerate_replaces_the_key(client, citizen):
    client.force_login(citizen)
    _post(client, "regenerate")
    old_key = Token.objects.get(user=citizen).key
    _post(client, "regenerate")
    assert Token.objects.filter(user=citizen).count() == 1
    assert Token.objects.get(user=citizen).key != old_key


def test_revoke_deletes_the_token(client, citizen):
    client.force_login(citizen)
    _post(client, "regenerate")
    _post(client, "revoke")
    assert not Token.objects.filter(user=citizen).exists()


def test_unverified_user_cannot_create_token(client, unverified):
    client.force_login(unverified)
    response = _post(client, "regenerate")
    assert response.status_code == 302
    assert not Token.objects.filter(user=unverified).exists()
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Verify your e-mail address before creating an API token." in page


def test_token_actions_need_login_post_and_known_action(client, citizen):
    assert _post(client, "regenerate")["Location"].startswith(reverse("accounts:login"))
    client.force_login(citizen)
    assert client.get(reverse("accounts:api_token")).status_code == 405
    assert _post(client, "steal").status_code == 400
    assert not Token.objects.exists()


@pytest.mark.urls("tests.accounts.test_api_token")
def test_token_authenticates_as_its_owner_until_revoked(citizen):
    token = api_token_regenerate(user=citizen)
    api = APIClient()
    assert api.get("/whoami/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/whoami/")
    assert response.status_code == 200
    assert response.json() == {"email": citizen.email}

    api_token_revoke(user=citizen)
    refused = api.get("/whoami/", HTTP_ACCEPT_LANGUAGE="en")
    # 403 rather than 401: SessionAuthentication comes first in the settings and sends no WWW-Authenticate.
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Invalid token."


def test_token_against_the_public_api(citizen):
    """/api/v1/topics/ is public, but a token that is sent must be valid (TokenAuthentication)."""
    token = api_token_regenerate(user=citizen)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/topics/").status_code == 200
    api_token_revoke(user=citizen)
    refused = api.get("/api/v1/topics/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Invalid token."
