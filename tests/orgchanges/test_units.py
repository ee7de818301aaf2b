"""Importing the commune-level units from the official list (CSV), by the site administrator."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgchanges.imports import units_import
from orgchanges.models import AdministrativeUnit, UnitType
from tests.accounts.otp import verified_login

from .helpers import site_admin

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

GOOD = """code,name,type,province,valid_from,valid_to,merged_into
P1,Phường Lê Chân,phường,Thành phố Hải Phòng,01/07/2025,,
P0,Phường Cát Dài,phường,Thành phố Hải Phòng,,30/06/2025,P1
X1,Xã Việt Khê,xã,Thành phố Hải Phòng,2025-07-01,,
D1,Đặc khu Cát Hải,đặc khu,Thành phố Hải Phòng,01/07/2025,,
"""


def test_import_adds_then_updates_and_records_mergers():
    assert units_import(data=GOOD.encode()) == {"created": 4, "updated": 0}
    old = AdministrativeUnit.objects.get(code="P0")
    assert old.successor.code == "P1" and str(old.valid_to) == "2025-06-30"
    assert AdministrativeUnit.objects.get(code="D1").unit_type == UnitType.SPECIAL_ZONE
    assert units_import(data=GOOD.replace("Xã Việt Khê", "Xã Việt Khê (mới)").encode()) == {"created": 0, "updated": 4}
    assert AdministrativeUnit.objects.get(code="X1").name == "Xã Việt Khê (mới)"


def test_a_bad_file_is_refused_whole_with_every_problem_named():
    bad = GOOD + "Q1,Quận Lê Chân,quận,Thành phố Hải Phòng,,,\nP1,Trùng mã,phường,Thành phố Hải Phòng,,,\n"
    bad += "P9,Phường mới,phường,Thành phố Hải Phòng,31/02/2025,,\nP8,Phường khác,phường,Thành phố Hải Phòng,,,ZZ\n"
    with pytest.raises(ValidationError) as caught:
        units_import(data=bad.encode())
    messages = " ".join(caught.value.messages)
    assert "Dòng 6" in messages and "xã, phường hoặc đặc khu" in messages
    assert "Dòng 7: mã P1 xuất hiện hai lần" in messages
    assert "Dòng 8" in messages and "không phải là ngày" in messages
    assert "Dòng 9" in messages and "ZZ" in messages
    assert not AdministrativeUnit.objects.exists()
    with pytest.raises(ValidationError, match="Tệp cần có các cột"):
        units_import(data=b"ma,ten\n1,2\n")


def test_the_site_admin_imports_a_file_in_the_browser(client):
    verified_login(client, site_admin())
    url = reverse("admin:orgchanges_units_import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("units.csv", GOOD.encode(), content_type="text/csv")})
    assert response.status_code == 302
    assert AdministrativeUnit.objects.count() == 4
