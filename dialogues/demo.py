"""Demo data of live dialogues: three sessions of Hải Phòng agencies.

Run by `manage.py load_demo` after the accounts and qa demo data. Everything goes
through the services, so each session has its numbered events, audit rows and
consistent counters; times are moved into the past afterwards. Idempotent: a
session whose title exists is left alone. Without the demo agencies nothing is created.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Agency, Membership, User
from qa.models import Topic

from . import services
from .models import DialogueSession, LiveQuestion, SessionEvent


@dataclass
class DemoQuestion:
    text: str
    name: str = ""
    email: str = ""
    approve: bool = True
    answer: str = ""
    panelist: int | None = 0  # index of the panelist who answered; None: moderator's summary
    votes: int = 0


@dataclass
class DemoSession:
    agency: str
    title: str
    description: str
    topic: str
    starts_in: datetime.timedelta
    duration: datetime.timedelta
    panelists: list[tuple[str, str]]
    questions: list[DemoQuestion] = field(default_factory=list)
    announcements: list[str] = field(default_factory=list)


ENDED = DemoSession(
    agency="HP-STNMT",
    title="Cấp giấy chứng nhận quyền sử dụng đất lần đầu: vướng ở đâu, gỡ thế nào?",
    description=(
        "Lãnh đạo Sở Tài nguyên và Môi trường trao đổi với người dân về hồ sơ, thời hạn và nghĩa vụ tài chính "
        "khi cấp giấy chứng nhận lần đầu cho đất ở có nguồn gốc sử dụng trước năm 2004."
    ),
    topic="dat-dai",
    starts_in=-datetime.timedelta(days=12, hours=3),
    duration=datetime.timedelta(hours=2),
    panelists=[
        ("Phạm Đức Thịnh", "Phó Giám đốc Sở Tài nguyên và Môi trường"),
        ("Vũ Thị Hạnh", "Trưởng phòng Đăng ký và Cấp giấy chứng nhận"),
    ],
    questions=[
        DemoQuestion(
            "Nhà tôi ở ổn định từ năm 1998, không có giấy tờ gì về đất. Bây giờ làm sổ đỏ có phải nộp tiền sử "
            "dụng đất không?",
            name="Ông Tuấn, Kiến An",
            answer=(
                "Đất ở sử dụng ổn định từ trước ngày 15/10/1993 đến trước 01/7/2004, không tranh chấp và phù hợp "
                "quy hoạch thì được cấp giấy chứng nhận. Phần diện tích trong hạn mức công nhận đất ở phải nộp 50% "
                "tiền sử dụng đất theo bảng giá; phần vượt hạn mức nộp 100%. Bộ phận một cửa của quận sẽ hướng dẫn "
                "ông kê khai."
            ),
            votes=41,
        ),
        DemoQuestion(
            "Hồ sơ của tôi nộp ở bộ phận một cửa huyện Thủy Nguyên đã ba tháng chưa có kết quả, tôi cần hỏi ai?",
            name="Bà Ngọc",
            answer=(
                "Thời hạn cấp giấy lần đầu là không quá 20 ngày làm việc, không kể thời gian xác minh nguồn gốc đất "
                "và thời gian người dân thực hiện nghĩa vụ tài chính. Sở đã ghi nhận mã hồ sơ bà cung cấp trong buổi "
                "đối thoại và đề nghị Văn phòng Đăng ký đất đai chi nhánh Thủy Nguyên trả lời bà trong tuần này."
            ),
            panelist=1,
            votes=28,
        ),
        DemoQuestion(
            "Đất được bố mẹ cho bằng giấy viết tay năm 2001 thì có làm được sổ đỏ đứng tên tôi luôn không?",
            name="Anh Khánh",
            answer=(
                "Được. Trường hợp nhận tặng cho bằng giấy tờ viết tay trước ngày 01/7/2014 mà chưa sang tên thì "
                "người đang sử dụng đất nộp hồ sơ cấp giấy chứng nhận, không phải làm lại thủ tục tặng cho."
            ),
            panelist=None,
            votes=19,
        ),
        DemoQuestion(
            "Xin hỏi bản đồ địa chính phường Đông Hải 2 đã được cập nhật sau khi mở đường chưa?",
            name="Chị Thu",
            email="chithu.dh2@demo.example",
            votes=7,
        ),
    ],
    announcements=["Buổi đối thoại bắt đầu. Cảm ơn quý vị đã gửi hơn 60 câu hỏi trước buổi đối thoại."],
)

LIVE = DemoSession(
    agency="HP-STNMT",
    title="Ô nhiễm không khí và nước thải quanh các khu công nghiệp",
    description=(
        "Người dân các phường gần khu công nghiệp Đình Vũ, Nomura và làng nghề hỏi trực tiếp về quan trắc môi "
        "trường, xử lý vi phạm và trách nhiệm của doanh nghiệp."
    ),
    topic="moi-truong",
    starts_in=-datetime.timedelta(minutes=25),
    duration=datetime.timedelta(hours=2),
    panelists=[
        ("Phạm Đức Thịnh", "Phó Giám đốc Sở Tài nguyên và Môi trường"),
        ("Nguyễn Văn Bình", "Chi cục trưởng Chi cục Bảo vệ môi trường"),
    ],
    questions=[
        DemoQuestion(
            "Tối nào khu vực Đông Hải 1 cũng có mùi khét rất nặng từ khoảng 22 giờ. Sở có quan trắc vào ban đêm không?",
            name="Cô Hương, Hải An",
            answer=(
                "Có. Từ tháng này Chi cục đặt thêm trạm quan trắc tự động tại phường Đông Hải 1, số liệu cập nhật "
                "mỗi giờ trên cổng thông tin. Chúng tôi sẽ kiểm tra đột xuất ban đêm các cơ sở trong bán kính 2 km."
            ),
            panelist=1,
            votes=54,
        ),
        DemoQuestion(
            "Doanh nghiệp xả nước thải ra sông Lạch Tray bị phạt bao nhiêu, có công khai tên không?",
            name="Anh Dũng",
            answer=(
                "Các quyết định xử phạt vi phạm hành chính về môi trường đều được công khai trên cổng thông tin của Sở "
                "kèm tên doanh nghiệp và mức phạt. Năm nay đã có 7 doanh nghiệp bị xử phạt."
            ),
            panelist=None,
            votes=33,
        ),
        DemoQuestion(
            "Người dân có thể tự gửi mẫu nước giếng đi xét nghiệm ở đâu và chi phí thế nào?", name="Bà Sáu", votes=21
        ),
        DemoQuestion(
            "Khu dân cư sát làng nghề tái chế nhựa có được hỗ trợ di dời không?",
            name="Ông Lực",
            email="ongluc@demo.example",
            votes=12,
        ),
        DemoQuestion("Vì sao xe chở rác đi qua đường Lê Hồng Phong vào giờ cao điểm?", name="Minh", votes=4),
        DemoQuestion("Tôi muốn phản ánh khói đốt rơm rạ ở An Dương thì gọi số nào?", name="", approve=False),
        DemoQuestion("Cho hỏi lịch thu gom rác cồng kềnh ở quận Lê Chân?", name="Hà", approve=False),
    ],
    announcements=[
        "Buổi đối thoại bắt đầu. Mời quý vị gửi câu hỏi ngắn gọn, mỗi câu một nội dung.",
        "Ông Nguyễn Văn Bình, Chi cục trưởng Chi cục Bảo vệ môi trường, đã tham gia buổi đối thoại.",
    ],
)

UPCOMING = DemoSession(
    agency="HP-SGDDT",
    title="Tuyển sinh vào lớp 10 trung học phổ thông năm học 2027–2028",
    description=(
        "Sở Giáo dục và Đào tạo giải đáp về phương án thi, chỉ tiêu từng trường, cách đăng ký nguyện vọng và "
        "tuyển thẳng. Phụ huynh và học sinh có thể gửi câu hỏi ngay từ bây giờ."
    ),
    topic="giao-duc",
    starts_in=datetime.timedelta(days=5, hours=2),
    duration=datetime.timedelta(hours=1, minutes=30),
    panelists=[
        ("Đỗ Mạnh Cường", "Phó Giám đốc Sở Giáo dục và Đào tạo"),
        ("Lương Thị Mai", "Trưởng phòng Quản lý thi và Kiểm định chất lượng"),
    ],
    questions=[
        DemoQuestion(
            "Năm nay thi vào lớp 10 có môn thứ tư không, và khi nào công bố?", name="Phụ huynh Lê Chân", approve=False
        ),
    ],
)


def _moderator(agency: Agency) -> User | None:
    membership = (
        Membership.objects.filter(agency=agency, role=Membership.Role.MODERATOR, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _create(spec: DemoSession, agency: Agency, moderator: User, now: datetime.datetime) -> DialogueSession:
    start = (now + spec.starts_in).replace(second=0, microsecond=0)
    # The first panelist gets an account when the demo has a user of that name (the panelist view needs one).
    user = User.objects.filter(full_name=spec.panelists[0][0]).first()
    user_ids = [user.pk if user else None] + [None] * (len(spec.panelists) - 1)
    return services.session_create(
        agency=agency,
        actor=moderator,
        title=spec.title,
        description=spec.description,
        topic=Topic.objects.filter(slug=spec.topic).first() or Topic.objects.filter(is_active=True).first(),
        scheduled_start=start,
        scheduled_end=start + spec.duration,
        panelists=[
            services.PanelistInput(name=name, position=position, user_id=user_id)
            for (name, position), user_id in zip(spec.panelists, user_ids, strict=True)
        ],
    )


def _ask_all(session: DialogueSession, spec: DemoSession, moderator: User) -> list[LiveQuestion]:
    asked = []
    for i, item in enumerate(spec.questions):
        question = services.live_question_ask(
            session_id=session.pk,
            actor=None,
            text=item.text,
            display_name=item.name,
            email=item.email,
            browser_key=f"demo-{session.pk}-{i}",
        )
        if item.approve:
            services.live_question_approve(question_id=question.pk, actor=moderator)
        asked.append(question)
    return asked


def _answer(session: DialogueSession, spec: DemoSession, asked: list[LiveQuestion], moderator: User) -> None:
    panelists = list(session.panelists.all())
    for item, question in zip(spec.questions, asked, strict=True):
        if item.votes:
            LiveQuestion.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + item.votes)
        if not item.answer:
            continue
        services.live_question_mark_answering(question_id=question.pk, actor=moderator)
        services.live_question_answer(
            question_id=question.pk,
            actor=moderator,
            text=item.answer,
            kind="summary" if item.panelist is None else "typed",
            panelist_id=panelists[item.panelist].pk if item.panelist is not None else None,
        )


def _backdate(session: DialogueSession, shift: datetime.timedelta) -> None:
    """Move what the services stamped `now` back to when the demo says it happened."""
    if not shift:
        return
    DialogueSession.objects.filter(pk=session.pk).update(
        started_at=F("started_at") - shift, ended_at=F("ended_at") - shift
    )
    LiveQuestion.objects.filter(session=session).update(
        created_at=F("created_at") - shift, approved_at=F("approved_at") - shift, answered_at=F("answered_at") - shift
    )
    SessionEvent.objects.filter(session=session).update(created_at=F("created_at") - shift)
    session.announcements.update(created_at=F("created_at") - shift)
    session.status_changes.update(created_at=F("created_at") - shift)


def load(stdout) -> None:
    now = timezone.now()
    created = 0
    for spec in (ENDED, LIVE, UPCOMING):
        agency = Agency.objects.filter(code=spec.agency).first()
        if agency is None or DialogueSession.objects.filter(title=spec.title).exists():
            continue
        moderator = _moderator(agency)
        if moderator is None:
            continue
        with transaction.atomic():
            session = _create(spec, agency, moderator, now)
            if spec is UPCOMING:
                services.session_open(session_id=session.pk, actor=moderator)
                _ask_all(session, spec, moderator)
            else:
                services.session_start(session_id=session.pk, actor=moderator)
                services.announcement_post(session_id=session.pk, actor=moderator, text=spec.announcements[0])
                asked = _ask_all(session, spec, moderator)
                for text in spec.announcements[1:]:
                    services.announcement_post(session_id=session.pk, actor=moderator, text=text)
                _answer(session, spec, asked, moderator)
                if spec is LIVE:
                    pairs = zip(asked, spec.questions, strict=True)
                    waiting = [q for q, item in pairs if item.approve and not item.answer]
                    services.live_question_mark_answering(question_id=waiting[0].pk, actor=moderator)
                    _backdate(session, datetime.timedelta(minutes=20))
                else:
                    services.session_end(session_id=session.pk, actor=moderator)
                    services.session_publish_transcript(session_id=session.pk, actor=moderator)
                    _backdate(session, -spec.starts_in - datetime.timedelta(minutes=5))
                    session.refresh_from_db()
                    DialogueSession.objects.filter(pk=session.pk).update(
                        ended_at=session.scheduled_end - datetime.timedelta(minutes=10),
                        transcript_published_at=session.scheduled_end + datetime.timedelta(days=1),
                    )
        created += 1
    stdout.write(f"dialogues: {created} sessions created (one ended with its transcript, one live, one upcoming).")
