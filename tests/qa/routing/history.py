"""A small answered history for the routing tests: three agencies, each with its own words."""

import random

from accounts.models import Agency
from qa.models import QuestionStatus, Topic
from qa.services import question_reindex
from tests.factories import AgencyFactory, TopicFactory
from tests.qa.staff_fixtures import question_in

S = QuestionStatus
WORDS = {
    "land": ["sổ đỏ", "thửa đất", "quyền sử dụng đất", "tách thửa", "địa chính", "chuyển nhượng đất", "cấp lại sổ"],
    "tax": ["thuế thu nhập", "hóa đơn điện tử", "quyết toán thuế", "mã số thuế", "hoàn thuế", "lệ phí trước bạ"],
    "school": ["học sinh", "chuyển trường", "tuyển sinh lớp", "học bạ", "giáo viên", "bằng tốt nghiệp"],
}
OPENINGS = ["Xin hỏi thủ tục", "Cho tôi hỏi về", "Đề nghị hướng dẫn", "Hồ sơ", "Vướng mắc khi làm"]


def text_about(kind: str, rng: random.Random) -> tuple[str, str]:
    words = rng.sample(WORDS[kind], 3)
    return f"{rng.choice(OPENINGS)} {words[0]}", f"Gia đình tôi cần {words[1]} và {words[2]}, xin hướng dẫn."


def agencies_and_topics() -> tuple[dict[str, Agency], dict[str, Topic]]:
    names = {"land": "Sở Nông nghiệp và Môi trường", "tax": "Cục Thuế", "school": "Sở Giáo dục và Đào tạo"}
    agencies = {kind: AgencyFactory(name=name) for kind, name in names.items()}
    topics = {kind: TopicFactory(name=f"Lĩnh vực {kind}") for kind in names}
    return agencies, topics


def answered(kinds: dict[str, int], agencies, topics, *, seed: int = 1, status: str = S.ANSWERED) -> list:
    """`kinds[kind]` answered questions of each kind, in their agency and topic."""
    rng = random.Random(seed)
    made = []
    for kind, count in kinds.items():
        for _ in range(count):
            title, body = text_about(kind, rng)
            question = question_in(
                status, agencies[kind], topic=topics[kind], title=title, body=body, public_title=title, public_body=body
            )
            if status == S.PUBLISHED:
                question_reindex(question=question)  # the archive search's words
            made.append(question)
    return made
