"""qa.personal_data: what the detectors find in realistic Vietnamese questions, and what they leave alone."""

from types import SimpleNamespace

import pytest

from qa import personal_data as pd
from qa.personal_data import REDACTED

LAN = SimpleNamespace(
    name="Nguyễn Thị Lan",
    email="lan.nguyen82@gmail.com",
    phone="0912345678",
    address="Số 15 ngõ 72 đường Lạch Tray",
    organisation_name="",
    tax_code="",
)
COMPANY = SimpleNamespace(
    name="Trần Văn Hùng",
    email="ketoan@thepvietbac.vn",
    phone="02253842123",
    address="",
    organisation_name="Công ty TNHH Thép Việt Bắc",
    tax_code="0201234567-001",
)

LAND = (
    "Tôi là Nguyễn Thị Lan, trú tại số 15 ngõ 72 đường Lạch Tray, phường Lạch Tray, quận Ngô Quyền. "
    "Gia đình tôi được cấp giấy chứng nhận quyền sử dụng đất năm 2005, thửa đất số 123, tờ bản đồ số 45, "
    "diện tích 86,5 m2. Nay tôi muốn tách thửa cho con. Xin liên hệ 0912.345.678 hoặc email "
    "lan.nguyen82@gmail.com. Số CCCD của tôi: 031182004567."
)
TAX = (
    "Kính gửi Cục Thuế thành phố. Công ty TNHH Thép Việt Bắc, MST 0201234567-001, do ông Trần Văn Hùng làm "
    "giám đốc, có khoản thu nhập 150000000 đồng từ cho thuê kho tại 27/3 Lê Lợi, tổ 5, phường Máy Tơ. "
    "Theo Thông tư số 80/2021/TT-BTC thì kê khai thế nào? Điện thoại (0225) 3842 123, di động +84 983 456 789."
)
HEALTH = (
    "Mẹ tôi là bà Phạm Thị Hoa, sinh năm 1950, CMND 031456789, ở thôn Đông Xá, xã An Hồng, huyện An Dương. "
    "Bệnh viện Việt Tiệp nói cần phẫu thuật, chi phí 12.500.000 đồng. Thẻ bảo hiểm y tế của mẹ tôi được "
    "chi trả bao nhiêu phần trăm? Tôi ở tỉnh Bà Rịa - Vũng Tàu, anh Dũng ở Sở Y tế đã hướng dẫn."
)


def _kinds(text, contact=None):
    return [(f.kind, f.text, f.own) for f in pd.find(text, contact)]


def test_land_question_every_kind_found_and_the_askers_own_marked():
    found = _kinds(LAND, LAN)
    assert ("name", "Nguyễn Thị Lan", True) in found
    assert ("phone", "0912.345.678", True) in found
    assert ("email", "lan.nguyen82@gmail.com", True) in found
    assert ("id_number", "031182004567", False) in found
    address = [text for kind, text, _own in found if kind == "address"]
    assert address == ["số 15 ngõ 72 đường Lạch Tray, phường Lạch Tray"]
    redacted = pd.redact(LAND, LAN)
    for secret in ("Lan", "0912", "lan.nguyen82", "031182004567", "ngõ 72", "Lạch Tray"):
        assert secret not in redacted
    # What the question is about stays readable: land parcel numbers, the area, the year, the district.
    for kept in ("thửa đất số 123", "tờ bản đồ số 45", "86,5 m2", "năm 2005", "quận Ngô Quyền"):
        assert kept in redacted
    assert redacted.startswith(f"Tôi là {REDACTED}, trú tại {REDACTED}, quận Ngô Quyền.")


def test_tax_question_company_tax_code_phones_and_address():
    found = _kinds(TAX, COMPANY)
    assert ("tax_code", "0201234567-001", True) in found
    assert ("organisation", "Công ty TNHH Thép Việt Bắc", True) in found
    assert ("name", "Trần Văn Hùng", True) in found
    assert ("phone", "(0225) 3842 123", True) in found  # the contact's landline written with its area code
    assert ("phone", "+84 983 456 789", False) in found
    assert any(kind == "address" and text.startswith("27/3 Lê Lợi, tổ 5") for kind, text, _ in found)
    redacted = pd.redact(TAX, COMPANY)
    # Money, legal references and the agency are not personal data.
    for kept in ("150000000 đồng", "Thông tư số 80/2021/TT-BTC", "Cục Thuế thành phố"):
        assert kept in redacted
    assert "0201234567" not in redacted and "983" not in redacted and "Thép Việt Bắc" not in redacted


def test_health_question_third_party_names_and_ids_and_no_false_positives():
    found = _kinds(HEALTH)
    assert ("name", "Phạm Thị Hoa", False) in found
    assert ("id_number", "031456789", False) in found  # a 9-digit CMND after its cue
    assert ("address", "thôn Đông Xá, xã An Hồng", False) in found
    texts = [text for _kind, text, _own in found]
    # "bà Rịa" is a province, "anh Dũng" a single word after an honorific, the hospital an institution.
    assert not any("Rịa" in t or "Dũng" in t or "Việt Tiệp" in t or "12.500.000" in t for t in texts)
    assert "huyện An Dương" in pd.redact(HEALTH)


@pytest.mark.parametrize(
    "written",
    ["0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "+84912345678", "84912345678"],
)
def test_the_askers_phone_is_recognised_however_it_is_grouped(written):
    found = pd.find(f"Số điện thoại: {written}, gọi giờ hành chính.", LAN)
    assert [(f.kind, f.text, f.own) for f in found] == [("phone", written, True)]


def test_the_askers_name_without_diacritics_or_in_capitals_is_still_theirs():
    for written in ("NGUYỄN THỊ LAN", "Nguyen Thi Lan", "nguyễn   thị lan"):
        found = pd.find(f"Người viết: {written} kính đơn.", LAN)
        assert [(f.kind, f.own) for f in found] == [("name", True)], written
    # The given name alone after a cue is a name, but not provably the asker's: a warning, not a block.
    (finding,) = pd.find("Tôi là Lan, hỏi về đất.", LAN)
    assert finding.kind == "name" and not finding.own and not finding.blocking
    (finding,) = pd.find("Tôi là Thị Lan.", LAN)
    assert finding.own


def test_redaction_is_idempotent_and_leaves_plain_questions_alone():
    once = pd.redact(LAND, LAN)
    assert pd.redact(once, LAN) == once
    assert pd.find(once, LAN) == []
    plain = "Xin hỏi thủ tục cấp đổi giấy chứng nhận quyền sử dụng đất theo Nghị định số 101/2024/NĐ-CP?"
    assert pd.find(plain, LAN) == [] and pd.redact(plain, LAN) == plain


def test_blocking_and_confirmation_by_matched_text():
    findings = pd.find(LAND, LAN)
    blocking = [f for f in findings if f.blocking]
    assert {f.kind for f in blocking} == {"name", "address", "phone", "email", "id_number"}
    assert pd.unconfirmed(findings, []) == blocking
    confirmed = [f.text.upper() for f in blocking[:-1]]  # case and spacing do not matter
    assert pd.unconfirmed(findings, confirmed) == blocking[-1:]
    assert pd.unconfirmed(findings, [f.text for f in blocking]) == []


def test_public_copy_truncates_the_title_and_redacts_both():
    title, body = pd.public_copy("Chị Nguyễn Thị Lan hỏi về đất " + "x" * 300, LAND, LAN)
    assert len(title) == 200 and title.startswith(f"Chị {REDACTED} hỏi")
    assert "0912" not in body


@pytest.mark.parametrize(
    "text",
    [
        "Tôi có thuộc đối tượng được mua nhà ở xã hội không?",
        "Công ty chúng tôi tự tổ chức bếp ăn tập thể cho công nhân.",
        "Nhà hàng xóm vừa xây lại tường rào lấn sang đất nhà tôi.",
        "Tôi đã phản ánh với tổ dân phố nhưng chưa được giải quyết.",
        "Ở cuối thôn tôi tại xã Lê Thiện, huyện An Dương có bãi rác tự phát.",
        "Xin hỏi nhà ở tại nông thôn có phải xin giấy phép xây dựng không?",
        "Một người hàng xóm vay tôi 200 triệu đồng và đưa giấy viết tay.",
    ],
)
def test_everyday_phrases_with_address_words_are_not_addresses(text):
    assert pd.find(text) == []


def test_an_apartment_and_its_building_are_an_address():
    (finding,) = pd.find("Gia đình tôi sống tại căn hộ 305 nhà B2 của một khu tập thể cũ.")
    assert (finding.kind, finding.text) == ("address", "căn hộ 305 nhà B2")
