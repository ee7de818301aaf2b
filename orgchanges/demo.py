"""Demo data: Hải Phòng's 2025 reorganisation, applied through the same operations a site administrator uses.

Runs last (after accounts, qa, dialogues, stats): the agencies of 2024 and their history exist by then. The
questions those agencies had already answered, rejected or withdrawn are dated before the change that ended
them (they are the history the archive keeps, shown with the old names); their open questions move to the
successor with their state and deadline. Then the operations are applied in the order they took effect:
Thủy Nguyên became a city (1 January 2025), the departments merged (1 March 2025), and the district level
ended (1 July 2025), each district's work passing to the ward of the same name. Finally the statistics are
rebuilt, a handful of the city's commune-level units are imported (with a few wards merged into them), and six
questions in ten get the asker's commune or ward. Idempotent: an operation already applied
(found by its title) is skipped.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Agency, AgencySuccession
from notifications import demo as notifications_demo
from qa.models import Answer, AnswerRevision, Question, QuestionEvent, QuestionStatus
from qa.services.lookup import lookup_pin_for, lookup_pin_hash

from . import services
from .imports import units_import
from .models import AdministrativeUnit, Reorganisation, Status
from .planning import MOVABLE_STATUSES

DEPARTMENTS_MERGED = datetime.date(2025, 3, 1)
COMMUNES_FROM = datetime.date(2025, 7, 1)
DEPARTMENTS_BASIS = "Nghị định số 45/2025/NĐ-CP; quyết định của HĐND và UBND thành phố Hải Phòng"
COMMUNES_BASIS = "Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính cấp xã của thành phố Hải Phòng"


@dataclass(frozen=True)
class DemoChange:
    title: str
    kind: str
    sources: tuple[str, ...]
    effective_date: datetime.date
    legal_basis: str
    target: str = ""  # code of an existing successor
    new: tuple[str, str, str] | None = None  # (code, slug, name) of a new agency, or a rename's new name
    new_kind: str = ""
    extra: dict = field(default_factory=dict)


def _ward(code: str, slug: str, name: str) -> tuple[str, str, str]:
    return code, slug, name


CHANGES: list[DemoChange] = [
    DemoChange(
        "Huyện Thủy Nguyên trở thành thành phố Thủy Nguyên",
        "rename",
        ("HP-TN",),
        datetime.date(2025, 1, 1),
        "Nghị quyết số 1232/NQ-UBTVQH15 của Ủy ban Thường vụ Quốc hội",
        new=("", "thanh-pho-thuy-nguyen", "Thành phố Thủy Nguyên"),
    ),
    DemoChange(
        "Hợp nhất Sở Tài nguyên và Môi trường và Sở Nông nghiệp và Phát triển nông thôn",
        "merge",
        ("HP-STNMT", "HP-SNNPTNT"),
        DEPARTMENTS_MERGED,
        DEPARTMENTS_BASIS,
        new=("HP-SNNMT", "so-nong-nghiep-va-moi-truong", "Sở Nông nghiệp và Môi trường"),
        new_kind=Agency.Kind.DEPARTMENT,
    ),
    DemoChange(
        "Sở Kế hoạch và Đầu tư hợp nhất vào Sở Tài chính",
        "merge",
        ("HP-SKHDT",),
        DEPARTMENTS_MERGED,
        DEPARTMENTS_BASIS,
        target="HP-STC",
    ),
    DemoChange(
        "Sở Giao thông vận tải hợp nhất vào Sở Xây dựng",
        "merge",
        ("HP-SGTVT",),
        DEPARTMENTS_MERGED,
        DEPARTMENTS_BASIS,
        target="HP-SXD",
    ),
    DemoChange(
        "Sở Lao động - Thương binh và Xã hội hợp nhất vào Sở Nội vụ",
        "merge",
        ("HP-SLDTBXH",),
        DEPARTMENTS_MERGED,
        DEPARTMENTS_BASIS,
        target="HP-SNV",
    ),
    DemoChange(
        "Sở Thông tin và Truyền thông hợp nhất vào Sở Khoa học và Công nghệ",
        "merge",
        ("HP-STTTT",),
        DEPARTMENTS_MERGED,
        DEPARTMENTS_BASIS,
        target="HP-SKHCN",
    ),
    *(
        DemoChange(
            f"Kết thúc hoạt động của {district}; phường tiếp nhận công việc",
            "merge",
            (code,),
            COMMUNES_FROM,
            COMMUNES_BASIS,
            new=ward,
            new_kind=Agency.Kind.COMMUNE,
        )
        for code, district, ward in [
            ("HP-HB", "Quận Hồng Bàng", _ward("HP-PHB", "phuong-hong-bang", "Ủy ban nhân dân phường Hồng Bàng")),
            ("HP-LC", "Quận Lê Chân", _ward("HP-PLC", "phuong-le-chan", "Ủy ban nhân dân phường Lê Chân")),
            ("HP-NQ", "Quận Ngô Quyền", _ward("HP-PNQ", "phuong-ngo-quyen", "Ủy ban nhân dân phường Ngô Quyền")),
            ("HP-KA", "Quận Kiến An", _ward("HP-PKA", "phuong-kien-an", "Ủy ban nhân dân phường Kiến An")),
            (
                "HP-TN",
                "Thành phố Thủy Nguyên",
                _ward("HP-PTN", "phuong-thuy-nguyen", "Ủy ban nhân dân phường Thủy Nguyên"),
            ),
            ("HP-CH", "Huyện Cát Hải", _ward("HP-DKCH", "dac-khu-cat-hai", "Ủy ban nhân dân đặc khu Cát Hải")),
        ]
    ),
]

# A few of the city's commune-level units since 1 July 2025 (names as published; codes are the demo's own).
UNITS_CSV = """code,name,type,province,valid_from,valid_to
HP-DEMO-01,Phường Hồng Bàng,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-02,Phường Hồng An,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-03,Phường Lê Chân,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-04,Phường An Biên,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-05,Phường Ngô Quyền,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-06,Phường Gia Viên,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-07,Phường Kiến An,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-08,Phường Phù Liễn,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-09,Phường Thủy Nguyên,phường,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-10,Xã Việt Khê,xã,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-11,Đặc khu Cát Hải,đặc khu,Thành phố Hải Phòng,01/07/2025,
HP-DEMO-12,Đặc khu Bạch Long Vĩ,đặc khu,Thành phố Hải Phòng,01/07/2025,
"""
# A few of the wards that ended on 30 June 2025, each merged into one of the units above (the demo's choice of
# names and codes: a site administrator imports the official list). Questions asked before then name them.
FORMER_UNITS_CSV = """code,name,type,province,valid_from,valid_to,merged_into
HP-DEMO-31,Phường Minh Khai,phường,Thành phố Hải Phòng,,30/06/2025,HP-DEMO-01
HP-DEMO-32,Phường Hoàng Văn Thụ,phường,Thành phố Hải Phòng,,30/06/2025,HP-DEMO-01
HP-DEMO-33,Phường Cát Dài,phường,Thành phố Hải Phòng,,30/06/2025,HP-DEMO-03
HP-DEMO-34,Phường Máy Chai,phường,Thành phố Hải Phòng,,30/06/2025,HP-DEMO-05
HP-DEMO-35,Phường Bắc Sơn,phường,Thành phố Hải Phòng,,30/06/2025,HP-DEMO-07
"""
# Six questions in ten say where the asker lives; most come from the central wards (the unit codes, repeated by
# weight: a few units gather enough questions to be shown in the statistics, the others show "< 5").
PLACE_SHARE = 6
PLACES_BEFORE = ["HP-DEMO-31", "HP-DEMO-31", "HP-DEMO-32", "HP-DEMO-33", "HP-DEMO-33", "HP-DEMO-34", "HP-DEMO-35"]
PLACES_SINCE = [
    *["HP-DEMO-01"] * 4,
    *["HP-DEMO-03"] * 4,
    *["HP-DEMO-05"] * 3,
    *["HP-DEMO-07"] * 2,
    "HP-DEMO-02",
    "HP-DEMO-04",
    "HP-DEMO-06",
    "HP-DEMO-09",
    "HP-DEMO-10",
    "HP-DEMO-11",
]

_DATETIMES = ["received_at", "accepted_at", "paused_at", "answered_at", "published_at", "rated_at", "created_at"]
_DATES = ["transfer_due_date", "due_date"]


def _backdate_history(agency_ids: list[int], before: datetime.date) -> int:
    """Move the finished questions of these agencies (and everything stamped on them) to end a week before
    `before`, keeping their order and spacing: the old agency answered them while it existed."""
    questions = Question.objects.filter(agency_id__in=agency_ids).exclude(status__in=MOVABLE_STATUSES)
    latest = max(
        [stamp for stamp in questions.values_list("published_at", flat=True) if stamp]
        + list(QuestionEvent.objects.filter(question__in=questions).values_list("created_at", flat=True))
        + [stamp for stamp in questions.values_list("rated_at", flat=True) if stamp],
        default=None,
    )
    if latest is None or latest.date() < before - datetime.timedelta(days=7):
        return 0
    shift = datetime.timedelta(days=(latest.date() - before).days + 7)
    ids = list(questions.values_list("pk", flat=True))
    _shift(ids, shift)
    return len(ids)


def _shift(ids: list[int], back: datetime.timedelta) -> None:
    """Move these questions and everything stamped on them `back` in time (forward when negative); their codes
    carry the year they arrived, and the PIN printed on the receipt goes with the code."""
    Question.objects.filter(pk__in=ids).update(
        **{name: F(name) - back for name in _DATETIMES + _DATES}, updated_at=F("updated_at") - back
    )
    QuestionEvent.objects.filter(question_id__in=ids).update(created_at=F("created_at") - back)
    Answer.objects.filter(question_id__in=ids).update(
        sent_at=F("sent_at") - back, created_at=F("created_at") - back, updated_at=F("updated_at") - back
    )
    AnswerRevision.objects.filter(answer__question_id__in=ids).update(created_at=F("created_at") - back)
    for question in Question.objects.filter(pk__in=ids):
        code, _year, number = question.reference.rsplit("-", 2)
        _set_reference(question, f"{code}-{timezone.localtime(question.received_at).year}-{number}")


def _set_reference(question: Question, reference: str) -> None:
    if reference == question.reference:
        return
    question.reference = reference
    question.lookup_pin_hash = lookup_pin_hash(reference, lookup_pin_for(question.tracking_token))
    question.save(update_fields=["reference", "lookup_pin_hash"])


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _straddle(agency_ids: list[int], change: datetime.date) -> list[tuple[int, str]]:
    """Place one published question of each of these agencies across the change: received by the old agency a
    few days before it, still open on the day it took effect (then moved, as the operation moves open
    questions), answered and published afterwards by the successor. Returns (id, status on the day)."""
    placed: list[tuple[int, str]] = []
    for agency_id in agency_ids:
        candidates = Question.objects.filter(agency_id=agency_id, status=QuestionStatus.PUBLISHED).order_by(
            "-received_at"
        )
        for question in candidates[:10]:
            span = question.answered_at - question.received_at if question.answered_at else None
            if span is None or span < datetime.timedelta(days=4):
                continue
            # The move at 07:30 on the day, halfway between the receipt and the answer.
            back = question.received_at + span / 2 - (_moment(change, 7) + datetime.timedelta(minutes=30))
            _shift([question.pk], back)
            moment = _moment(change, 7) + datetime.timedelta(minutes=30)
            before = QuestionEvent.objects.filter(question=question, created_at__lt=moment).order_by("-created_at")
            status = before.values_list("to_status", flat=True).first() or QuestionStatus.SUBMITTED
            placed.append((question.pk, status))
            break
    return placed


def _record_moves(operation: Reorganisation, placed: list[tuple[int, str]], change: datetime.date) -> None:
    """The straddling questions were open on the day: moved to the successor with the operation's public event
    (as services._move_questions writes it), dated the morning the change took effect."""
    successors = dict(AgencySuccession.objects.values_list("predecessor_id", "successor_id"))
    for pk, status in placed:
        question = Question.objects.select_related("agency").get(pk=pk)
        target = Agency.objects.get(pk=successors[question.agency_id])
        event = QuestionEvent.objects.create(
            question=question,
            action=services.EVENT_ACTION,
            from_status=status,
            to_status=status,
            note=services.move_note(target.name, question.language),
            data={
                "operation": operation.pk,
                "from_agency_id": question.agency_id,
                "from_agency": question.agency.name,
                "to_agency_id": target.pk,
                "to_agency": target.name,
            },
            is_public=True,
        )
        QuestionEvent.objects.filter(pk=event.pk).update(created_at=_moment(change, 7) + datetime.timedelta(minutes=30))
        Question.objects.filter(pk=pk).update(agency=target)


def _rehome_recent(operation: Reorganisation, change: datetime.date) -> int:
    """The demo's current queue is dated these last weeks: a question that arrived after the change never went to
    the old agency. Those the operation moved become the successor's own: no move event, the successor's code."""
    start = _moment(change, 0)
    events = QuestionEvent.objects.filter(action=services.EVENT_ACTION, data__operation=operation.pk).filter(
        Q(question__received_at__gte=start) | Q(question__received_at__isnull=True, question__created_at__gte=start)
    )
    ids = list(events.values_list("question_id", flat=True))
    events.delete()
    for question in Question.objects.filter(pk__in=ids).select_related("agency"):
        _code, year, number = question.reference.rsplit("-", 2)
        _set_reference(question, f"{question.agency.code}-{year}-{number}")
    return len(ids)


def _operation(change: DemoChange, actor) -> Reorganisation:
    codes = {agency.code: agency for agency in Agency.objects.filter(code__in=change.sources)}
    sources = [codes[code] for code in change.sources]
    values = {}
    if change.new:
        code, slug, name = change.new
        values = {"new_code": code, "new_slug": slug, "new_name": name, "new_kind": change.new_kind}
    return services.reorganisation_create(
        actor=actor,
        kind=change.kind,
        sources=sources,
        effective_date=change.effective_date,
        target=Agency.objects.get(code=change.target) if change.target else None,
        title=change.title,
        legal_basis=change.legal_basis,
        **values,
    )


def _demo_places() -> int:
    """Give six questions in ten the asker's commune or ward, by the units in force when each was asked; the
    same questions every time (by id), and only once (questions that have a place are left alone)."""
    if Question.objects.filter(place__isnull=False).exists():
        return 0
    units = {unit.code: unit for unit in AdministrativeUnit.objects.filter(code__startswith="HP-DEMO-")}
    chosen: dict[str, list[int]] = {}
    for pk, created in Question.objects.order_by("pk").values_list("pk", "created_at"):
        if (pk * 7) % 10 >= PLACE_SHARE:
            continue
        pool = PLACES_SINCE if timezone.localdate(created) >= COMMUNES_FROM else PLACES_BEFORE
        chosen.setdefault(pool[(pk * 13) % len(pool)], []).append(pk)
    placed = 0
    for code, ids in chosen.items():
        if code in units:
            placed += Question.objects.filter(pk__in=ids).update(place=units[code])
    return placed


def load(stdout) -> None:
    from stats import aggregation

    actor = accounts_demo.account("superuser")
    applied = 0
    for change in CHANGES:
        if Reorganisation.objects.filter(title=change.title, status=Status.APPLIED).exists():
            continue
        sources = list(Agency.objects.filter(code__in=change.sources).values_list("pk", flat=True))
        _backdate_history(sources, change.effective_date)
        placed = _straddle(sources, change.effective_date) if change.kind == "merge" else []
        operation = Reorganisation.objects.filter(title=change.title).exclude(status=Status.CANCELLED).first()
        operation = operation or _operation(change, actor)
        services.reorganisation_preview(actor=actor, operation=operation)
        services.reorganisation_apply(actor=actor, operation=operation)
        _rehome_recent(operation, change.effective_date)
        _record_moves(operation, placed, change.effective_date)
        applied += 1
    units = units_import(data=UNITS_CSV.encode())
    units["created"] += units_import(data=FORMER_UNITS_CSV.encode())["created"]
    with_place = _demo_places()
    # The askers were told in 2025: like the rest of the demo history, those messages are not sent now.
    notifications_demo.load(stdout)
    if applied:
        aggregation.rebuild_all()
    moved = Question.objects.filter(events__action=services.EVENT_ACTION).distinct().count()
    active = Agency.objects.filter(is_active=True).count()
    stdout.write(
        f"orgchanges: {applied} reorganisation operations applied ({len(CHANGES)} in the demo), {moved} "
        f"questions open on the day moved, {active} agencies active today, {units['created']} administrative "
        f"units added, {with_place} questions given the asker's commune or ward; "
        "open /admin/orgchanges/reorganisation/."
    )
