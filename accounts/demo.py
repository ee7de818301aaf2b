"""Demo data of the accounts app: Hải Phòng's agencies as they were in 2024, the demo staff and a citizen.

The 2025 reorganisation (departments merged, districts replaced by wards) is applied afterwards by
orgchanges.demo through the same operation a site administrator uses, so the demo ends as the Hải Phòng of 2026.

Run by `manage.py load_demo` (before the other apps' demo modules, INSTALLED_APPS
order). Idempotent: rows are found by agency code and e-mail and left as they
are when present, so a second run (or a run after someone edited a demo row)
changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .lineage import current_successor
from .models import Agency, Membership, User

# Shared by every demo account and printed by the command: clearly not a real password.
DEMO_PASSWORD = "demo-2026"  # noqa: S105 (published on purpose: demo accounts only)
# A reserved domain (RFC 2606): nothing sent to a demo address can reach a real mailbox.
DEMO_EMAIL_DOMAIN = "demo.example"
DEMO_AGENCY_CODE = "HP-STNMT"
# The demo site administrator's two-step log-in (the admin requires it): a published authenticator
# secret (base32, for an app, or `manage.py demo_code` prints the current code) and backup codes.
DEMO_TOTP_SECRET = "HOIDAPDEMOTOTPKEYHOIDAPDEMOTOTPK"  # noqa: S105 (published on purpose: demo only)
DEMO_BACKUP_CODES = [f"demo{n:04d}" for n in range(1, 11)]

COMMITTEE = Agency.Kind.COMMITTEE
DEPARTMENT = Agency.Kind.DEPARTMENT
DISTRICT = Agency.Kind.DISTRICT


@dataclass(frozen=True)
class DemoAgency:
    code: str
    slug: str
    name: str
    kind: str
    description: str
    deadline_days: int = 15
    review_required: bool = False
    parent: str | None = "HP-UBND"


AGENCIES: list[DemoAgency] = [
    DemoAgency(
        "HP-UBND",
        "ubnd-thanh-pho-hai-phong",
        "Ủy ban nhân dân thành phố Hải Phòng",
        COMMITTEE,
        "Cơ quan hành chính nhà nước cao nhất của thành phố: chỉ đạo các sở, ngành và quận, huyện; trả lời các "
        "câu hỏi về chủ trương, quy hoạch chung và những việc liên quan đến nhiều cơ quan.",
        review_required=True,
        parent=None,
    ),
    DemoAgency(
        "HP-STNMT",
        "so-tai-nguyen-va-moi-truong",
        "Sở Tài nguyên và Môi trường",
        DEPARTMENT,
        "Tham mưu về đất đai, tài nguyên nước, khoáng sản, môi trường, biển và hải đảo; giải đáp thủ tục cấp giấy "
        "chứng nhận quyền sử dụng đất, đăng ký biến động, giấy phép môi trường và tiếp nhận phản ánh ô nhiễm.",
        review_required=True,
    ),
    DemoAgency(
        "HP-SXD",
        "so-xay-dung",
        "Sở Xây dựng",
        DEPARTMENT,
        "Quản lý quy hoạch xây dựng, kiến trúc, cấp phép xây dựng, nhà ở và thị trường bất động sản, vật liệu xây "
        "dựng; hướng dẫn về nhà ở xã hội và cải tạo chung cư cũ.",
        review_required=True,
    ),
    DemoAgency(
        "HP-SGDDT",
        "so-giao-duc-va-dao-tao",
        "Sở Giáo dục và Đào tạo",
        DEPARTMENT,
        "Quản lý giáo dục mầm non, phổ thông và giáo dục thường xuyên: tuyển sinh, chuyển trường, học phí, văn "
        "bằng, chứng chỉ.",
    ),
    DemoAgency(
        "HP-SYT",
        "so-y-te",
        "Sở Y tế",
        DEPARTMENT,
        "Quản lý khám bệnh, chữa bệnh, y tế dự phòng, tiêm chủng, dược, an toàn thực phẩm; cấp phép hành nghề và "
        "hoạt động cho cơ sở y tế tư nhân.",
        deadline_days=10,
    ),
    DemoAgency(
        "HP-SGTVT",
        "so-giao-thong-van-tai",
        "Sở Giao thông vận tải",
        DEPARTMENT,
        "Quản lý kết cấu hạ tầng giao thông, tổ chức giao thông, vận tải hành khách công cộng và cấp phép thi công "
        "trên đường bộ đang khai thác.",
    ),
    DemoAgency(
        "HP-SLDTBXH",
        "so-lao-dong-thuong-binh-va-xa-hoi",
        "Sở Lao động - Thương binh và Xã hội",
        DEPARTMENT,
        "Quản lý lao động, việc làm, tiền lương, giáo dục nghề nghiệp, bảo hiểm thất nghiệp, người có công và bảo "
        "trợ xã hội.",
        review_required=True,
    ),
    DemoAgency(
        "HP-STP",
        "so-tu-phap",
        "Sở Tư pháp",
        DEPARTMENT,
        "Quản lý hộ tịch, chứng thực, lý lịch tư pháp, trợ giúp pháp lý, công chứng và phổ biến, giáo dục pháp luật.",
        deadline_days=10,
    ),
    DemoAgency(
        "HP-SKHDT",
        "so-ke-hoach-va-dau-tu",
        "Sở Kế hoạch và Đầu tư",
        DEPARTMENT,
        "Đăng ký doanh nghiệp, hộ kinh doanh chuyển đổi, dự án đầu tư ngoài khu công nghiệp và hỗ trợ doanh nghiệp "
        "nhỏ và vừa.",
    ),
    DemoAgency(
        "HP-STC",
        "so-tai-chinh",
        "Sở Tài chính",
        DEPARTMENT,
        "Quản lý ngân sách, giá, phí và lệ phí do thành phố quy định, tài sản công; phối hợp với cơ quan thuế về "
        "nghĩa vụ tài chính của người dân và doanh nghiệp.",
    ),
    DemoAgency(
        "HP-STTTT",
        "so-thong-tin-va-truyen-thong",
        "Sở Thông tin và Truyền thông",
        DEPARTMENT,
        "Quản lý báo chí, xuất bản, viễn thông, internet, trang thông tin điện tử, an toàn thông tin và chuyển đổi "
        "số; vận hành Cổng dịch vụ công của thành phố.",
        deadline_days=10,
    ),
    DemoAgency(
        "HP-SNNPTNT",
        "so-nong-nghiep-va-phat-trien-nong-thon",
        "Sở Nông nghiệp và Phát triển nông thôn",
        DEPARTMENT,
        "Quản lý trồng trọt, chăn nuôi, thủy sản, thủy lợi, phòng chống thiên tai, lâm nghiệp và xây dựng nông thôn "
        "mới; hướng dẫn hỗ trợ sản xuất nông nghiệp và chuyển đổi cơ cấu cây trồng.",
    ),
    DemoAgency(
        "HP-SNV",
        "so-noi-vu",
        "Sở Nội vụ",
        DEPARTMENT,
        "Quản lý tổ chức bộ máy, biên chế, cán bộ, công chức, viên chức, chính quyền địa phương, thi đua khen thưởng, "
        "tôn giáo, văn thư, lưu trữ; từ năm 2025 cả lao động, việc làm, tiền lương, bảo hiểm xã hội và người có công.",
    ),
    DemoAgency(
        "HP-SKHCN",
        "so-khoa-hoc-va-cong-nghe",
        "Sở Khoa học và Công nghệ",
        DEPARTMENT,
        "Quản lý khoa học, công nghệ, đổi mới sáng tạo, tiêu chuẩn đo lường chất lượng, sở hữu trí tuệ; từ năm 2025 "
        "cả bưu chính, viễn thông, công nghệ thông tin và chuyển đổi số.",
    ),
    DemoAgency(
        "HP-HB",
        "quan-hong-bang",
        "Quận Hồng Bàng",
        DISTRICT,
        "Ủy ban nhân dân quận Hồng Bàng: đăng ký hộ kinh doanh, cấp phép xây dựng nhà ở riêng lẻ, hộ tịch và trật "
        "tự đô thị trên địa bàn quận.",
    ),
    DemoAgency(
        "HP-LC",
        "quan-le-chan",
        "Quận Lê Chân",
        DISTRICT,
        "Ủy ban nhân dân quận Lê Chân: đất đai, xây dựng, trật tự đô thị, giáo dục mầm non và phổ thông cơ sở trên "
        "địa bàn quận.",
        review_required=True,
    ),
    DemoAgency(
        "HP-NQ",
        "quan-ngo-quyen",
        "Quận Ngô Quyền",
        DISTRICT,
        "Ủy ban nhân dân quận Ngô Quyền: hộ tịch, chứng thực, đất đai, xây dựng và các chính sách xã hội trên địa bàn "
        "quận.",
        deadline_days=10,
    ),
    DemoAgency(
        "HP-KA",
        "quan-kien-an",
        "Quận Kiến An",
        DISTRICT,
        "Ủy ban nhân dân quận Kiến An: tuyển sinh đầu cấp, chính sách xã hội, đất đai và xây dựng trên địa bàn quận.",
    ),
    DemoAgency(
        "HP-TN",
        "huyen-thuy-nguyen",
        "Huyện Thủy Nguyên",
        DISTRICT,
        "Ủy ban nhân dân huyện Thủy Nguyên: đất đai, bồi thường giải phóng mặt bằng, nông nghiệp và xây dựng nông "
        "thôn mới.",
        review_required=True,
    ),
    DemoAgency(
        "HP-CH",
        "huyen-cat-hai",
        "Huyện Cát Hải",
        DISTRICT,
        "Ủy ban nhân dân huyện Cát Hải: quản lý xây dựng, du lịch, môi trường biển đảo trên quần đảo Cát Bà và đảo "
        "Cát Hải.",
    ),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str  # a Membership role, "superuser" or "citizen"
    role_label: str  # how the command's table names it
    agency: str | None = None


ACCOUNTS: list[DemoAccount] = [
    DemoAccount(f"quantri@{DEMO_EMAIL_DOMAIN}", "Quản trị hệ thống", "superuser", "site administrator (superuser)"),
    DemoAccount(
        f"bientap.snnmt@{DEMO_EMAIL_DOMAIN}", "Trần Thu Hà", Membership.Role.MODERATOR, "moderator", DEMO_AGENCY_CODE
    ),
    DemoAccount(
        f"chuyenvien.snnmt@{DEMO_EMAIL_DOMAIN}",
        "Lê Minh Quang",
        Membership.Role.ANSWERER,
        "answerer",
        DEMO_AGENCY_CODE,
    ),
    DemoAccount(
        f"lanhdao.snnmt@{DEMO_EMAIL_DOMAIN}", "Phạm Đức Thịnh", Membership.Role.REVIEWER, "reviewer", DEMO_AGENCY_CODE
    ),
    DemoAccount(
        f"quantri.snnmt@{DEMO_EMAIL_DOMAIN}", "Đoàn Thị Hồng", Membership.Role.ADMIN, "agency admin", DEMO_AGENCY_CODE
    ),
    DemoAccount(f"congdan@{DEMO_EMAIL_DOMAIN}", "Nguyễn Thị Lan Anh", "citizen", "citizen (verified e-mail)"),
]


# The other agencies' work in the demo is done by one officer each, who cannot log in (no password):
# the demo staff you log in as are those of DEMO_AGENCY_CODE.
OFFICER_ROLES = (Membership.Role.MODERATOR, Membership.Role.ANSWERER, Membership.Role.REVIEWER)


def officer_email(agency_code: str) -> str:
    return f"canbo.{agency_code.removeprefix('HP-').lower()}@{DEMO_EMAIL_DOMAIN}"


def account(role: str) -> User:
    """The demo user holding `role` (for other apps' demo modules: qa uses the staff as actors)."""
    email = next(a.email for a in ACCOUNTS if a.role == role)
    return User.objects.get(email=email)


def officer(agency_code: str) -> User:
    """The non-login officer who moderates, answers and reviews the demo questions of another agency."""
    return User.objects.get(email=officer_email(agency_code))


def _load_agencies() -> int:
    existing = set(Agency.objects.filter(code__in=[a.code for a in AGENCIES]).values_list("code", flat=True))
    by_code = {a.code: a for a in Agency.objects.filter(code__in=existing)}
    created = 0
    # AGENCIES lists every parent before its children.
    for item in AGENCIES:
        if item.code in existing:
            continue
        by_code[item.code] = Agency.objects.create(
            code=item.code,
            slug=item.slug,
            name=item.name,
            kind=item.kind,
            description=item.description,
            parent=by_code.get(item.parent) if item.parent else None,
            answer_deadline_days=item.deadline_days,
            review_required=item.review_required,
            email=f"hoidap.{item.code.removeprefix('HP-').lower()}@{DEMO_EMAIL_DOMAIN}",
        )
        created += 1
    return created


def _load_accounts() -> int:
    created = 0
    # Hashed once for all: the password is public anyway, and each hash costs the full work factor (~0.5 s).
    encoded = None
    for item in ACCOUNTS:
        user = User.objects.filter(email=item.email).first()
        if user is None:
            encoded = encoded or make_password(DEMO_PASSWORD)
            superuser = item.role == "superuser"
            user = User.objects.create(
                email=item.email,
                password=encoded,
                full_name=item.full_name,
                email_verified=True,
                is_staff=superuser,
                is_superuser=superuser,
            )
            created += 1
        if item.agency:
            # After the demo reorganisation (orgchanges.demo) the staff work for the successor agency.
            agency = current_successor(Agency.objects.get(code=item.agency))
            Membership.objects.get_or_create(user=user, agency=agency, role=item.role)
    return created


def _load_admin_second_factor() -> None:
    """The demo superuser gets an authenticator with the published secret, and the published backup codes."""
    import base64

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = account("superuser")
    if not TOTPDevice.objects.filter(user=admin, confirmed=True).exists():
        key = base64.b32decode(DEMO_TOTP_SECRET).hex()
        TOTPDevice.objects.create(user=admin, name="demo", key=key, confirmed=True)
    if not StaticDevice.objects.filter(user=admin).exists():
        device = StaticDevice.objects.create(user=admin, name="backup", confirmed=True)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in DEMO_BACKUP_CODES])


def demo_totp_code() -> str:
    """The code the demo site administrator's authenticator would show now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=account("superuser"), confirmed=True)
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def _load_officers() -> int:
    created = 0
    for item in AGENCIES:
        if item.code == DEMO_AGENCY_CODE:
            continue
        user = User.objects.filter(email=officer_email(item.code)).first()
        if user is None:
            # No usable password: these accounts only sign the demo history.
            user = User.objects.create_user(officer_email(item.code), None, full_name=f"Cán bộ {item.name}")
            created += 1
        agency = Agency.objects.get(code=item.code)
        if not agency.is_active:
            continue  # reorganised: its officer's roles moved to the successor with the demo reorganisation
        for role in OFFICER_ROLES:
            Membership.objects.get_or_create(user=user, agency=agency, role=role)
    return created


def load(stdout) -> None:
    with transaction.atomic():
        agencies = _load_agencies()
        users = _load_accounts() + _load_officers()
        _load_admin_second_factor()
    stdout.write(f"accounts: {agencies} agencies and {users} users created ({len(AGENCIES)} agencies in the demo).")
