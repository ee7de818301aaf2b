"""factory_boy factories for the whole suite."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Agency, Membership, User
from orgchanges.models import AdministrativeUnit, UnitType
from qa.models import Answer, AskerContact, AskerType, Question, QuestionStatus, Topic
from qa.services.indexing import question_reindex


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email_verified = True
    password = factory.django.Password("matkhau-an-toan-123")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    slug = factory.Sequence(lambda n: f"so-thu-nghiem-{n}")
    code = factory.Sequence(lambda n: f"HP-ST{n}")
    kind = Agency.Kind.DEPARTMENT


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.MODERATOR


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")
    slug = factory.Sequence(lambda n: f"linh-vuc-{n}")


class AdministrativeUnitFactory(factory.django.DjangoModelFactory):
    """A commune-level unit in force since 1 July 2025 (pass valid_to and successor for a merged one)."""

    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Phường Thử {n}")
    unit_type = UnitType.WARD
    province = "Thành phố Hải Phòng"
    valid_from = datetime.date(2025, 7, 1)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question in any state; contact data is created alongside (personal data)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True  # the related contact needs no second save of the question

    reference = factory.Sequence(lambda n: f"HP-TEST-2026-{n:06d}")
    agency = factory.SubFactory(AgencyFactory)
    topic = factory.SubFactory(TopicFactory)
    status = QuestionStatus.SUBMITTED
    title = factory.Sequence(lambda n: f"Hỏi về thủ tục cấp giấy chứng nhận quyền sử dụng đất số {n}")
    body = "Gia đình tôi có thửa đất ở phường Lê Chân, xin hỏi thủ tục cấp giấy chứng nhận như thế nào?"
    public_title = factory.LazyAttribute(lambda o: o.title)
    public_body = factory.LazyAttribute(lambda o: o.body)
    asker_type = AskerType.INDIVIDUAL
    consent_to_publish = True
    received_at = factory.LazyFunction(timezone.now)
    contact = factory.RelatedFactory("tests.factories.AskerContactFactory", factory_related_name="question")


class AskerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AskerContact

    question = factory.SubFactory(QuestionFactory, contact=None)
    name = "Trần Thị Bí Mật"
    email = factory.Sequence(lambda n: f"nguoihoi{n}@example.vn")
    phone = "0912345678"
    address = "Số 12 ngõ 34 phố Bí Mật, quận Ngô Quyền"
    email_verified_at = factory.LazyFunction(timezone.now)


class PublishedQuestionFactory(QuestionFactory):
    class Meta:
        skip_postgeneration_save = True

    status = QuestionStatus.PUBLISHED
    answered_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def answer(self, create, extracted, **kwargs):
        if not create:
            return
        Answer.objects.create(
            question=self,
            body=extracted
            or "<p>Sở Tài nguyên và Môi trường trả lời như sau: hồ sơ gồm đơn đề nghị và giấy tờ về đất.</p>",
            sent_at=timezone.now(),
        )
        question_reindex(question=self)
