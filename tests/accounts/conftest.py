import pytest

from tests.factories import UserFactory

PASSWORD = "matkhau-an-toan-123"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def citizen(db):
    return UserFactory(email="citizen@example.vn", full_name="Lê Thị Hoa", language="vi")


@pytest.fixture
def unverified(db):
    return UserFactory(email="moi@example.vn", full_name="Phạm Văn Mới", email_verified=False)
