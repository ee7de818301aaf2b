"""Tax codes: format and check digit (weights 31 29 23 19 17 13 7 5 3; 10 − sum mod 11; 10 is invalid)."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from qa.models import Question
from qa.tax_codes import check_digit, validate_tax_code
from tests.factories import AgencyFactory, TopicFactory

# Published codes of well-known companies (on their invoices and the national business register).
REAL_CODES = ["0300588569", "0100109106", "0101248141"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_published_codes_are_valid(code):
    assert validate_tax_code(code) == code
    assert validate_tax_code(f"{code}-001") == f"{code}-001"


def test_worked_example():
    # 0·31 + 3·29 + 0·23 + 0·19 + 5·17 + 8·13 + 8·7 + 5·5 + 6·3 = 375; 375 mod 11 = 1; 10 − 1 = 9.
    assert check_digit("030058856") == 9


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_other_tenth_digit_is_refused(code):
    for digit in "0123456789":
        if digit != code[9]:
            with pytest.raises(ValidationError) as exc:
                validate_tax_code(code[:9] + digit)
            assert exc.value.code == "check_digit"


def test_nine_digits_whose_sum_is_a_multiple_of_11_have_no_valid_code():
    nine = next(
        "".join(d)
        for d in itertools.product("0123456789", repeat=9)
        if sum(int(x) * w for x, w in zip(d, (31, 29, 23, 19, 17, 13, 7, 5, 3), strict=True)) % 11 == 0 and d[1] != "0"
    )
    assert check_digit(nine) is None
    for digit in "0123456789":
        with pytest.raises(ValidationError):
            validate_tax_code(nine + digit)


def test_a_sum_leaving_10_gives_check_digit_0():
    nine = next(
        "".join(d)
        for d in itertools.product("0123456789", repeat=9)
        if sum(int(x) * w for x, w in zip(d, (31, 29, 23, 19, 17, 13, 7, 5, 3), strict=True)) % 11 == 10
    )
    assert check_digit(nine) == 0 and validate_tax_code(nine + "0") == nine + "0"


@pytest.mark.parametrize(
    "typed,stored",
    [(" 0300588569 ", "0300588569"), ("0300 588 569 – 002", "0300588569-002"), ("0300588569—123", "0300588569-123")],
)
def test_spaces_and_dashes_are_normalised(typed, stored):
    assert validate_tax_code(typed) == stored


@pytest.mark.parametrize(
    "bad", ["030058856", "03005885690", "0300588569-01", "0300588569-0001", "03005885A9", "0300588569-000", "-"]
)
def test_bad_formats_and_branch_000_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_tax_code(bad)


@pytest.mark.django_db
def test_the_api_refuses_a_wrong_check_digit_and_stores_the_normalised_code():
    agency, topic = AgencyFactory(), TopicFactory()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    payload = {
        "agency": agency.pk,
        "topic": topic.pk,
        "title": "Hỏi về hóa đơn điện tử",
        "body": "Doanh nghiệp tôi cần đăng ký hóa đơn điện tử thế nào?",
        "asker_type": "organisation",
        "name": "Trần Thị Kế Toán",
        "organisation_name": "Công ty TNHH Sữa",
        "email": "ketoan@example.vn",
        "tax_code": "0300588568",
    }
    refused = client.post("/api/v1/questions/", payload, format="json")
    assert refused.status_code == 400
    assert refused.json()["tax_code"] == [
        "This is not a valid tax code: check the number on the tax registration certificate."
    ]
    assert not Question.objects.exists()
    payload["tax_code"] = "0300 588 569 - 001"
    assert client.post("/api/v1/questions/", payload, format="json").status_code == 201
    assert Question.objects.get().contact.tax_code == "0300588569-001"
