"""Share links, Open Graph / Twitter card tags and meta descriptions of the public pages."""

import html as htmllib
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from qa.templatetags.share import share_targets
from tests.dialogues.factories import DialogueSessionFactory
from tests.factories import PublishedQuestionFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _meta(page: str, key: str) -> list[str]:
    """The content of every <meta property|name="key">, unescaped."""
    pattern = rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">'
    return [htmllib.unescape(value) for value in re.findall(pattern, page)]


def _published():
    return PublishedQuestionFactory(
        public_title="Thủ tục cấp đổi sổ đỏ & hồ sơ cần nộp",
        public_body="Tôi muốn cấp đổi giấy chứng nhận quyền sử dụng đất thì cần những giấy tờ gì?",
        agency__name="Sở Tài nguyên và Môi trường",
        contact__name="Nguyễn Văn Riêng",
        contact__email="rieng@example.vn",
        contact__phone="+84912000111",
    )


def test_share_targets_encode_the_whole_url():
    url = "https://hoidap.example.vn/questions/HP-STP-2026-000001/?a=1&b=2"
    targets = share_targets(url)
    encoded = "https%3A%2F%2Fhoidap.example.vn%2Fquestions%2FHP-STP-2026-000001%2F%3Fa%3D1%26b%3D2"
    assert targets["facebook"] == f"https://www.facebook.com/sharer/sharer.php?u={encoded}"
    assert targets["zalo"] == f"https://sp.zalo.me/share_to_zalo?url={encoded}"


def test_the_answer_page_has_open_graph_tags_share_links_and_no_personal_data(client):
    question = _published()
    page = client.get(question.get_absolute_url()).content.decode()
    url = f"http://testserver{question.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in page
    assert _meta(page, "og:url") == [url]
    assert _meta(page, "og:title") == _meta(page, "twitter:title") == ["Thủ tục cấp đổi sổ đỏ & hồ sơ cần nộp"]
    (description,) = _meta(page, "og:description")
    assert description.startswith("Answer from Sở Tài nguyên và Môi trường: Tôi muốn cấp đổi")
    assert _meta(page, "twitter:card") == ["summary"]
    assert _meta(page, "og:image") == ["http://testserver/static/icons/icon-512.png"]
    assert _meta(page, "description")[0].startswith("Tôi muốn cấp đổi giấy chứng nhận")
    assert len(_meta(page, "description")) == 1
    head = page.split("</head>")[0]
    for private in ("Nguyễn Văn Riêng", "rieng@example.vn", "0912000111", question.tracking_token):
        assert private not in head and private not in page
    # Plain links with the encoded page address; the address itself to copy, the copy button for JS only.
    assert f'href="https://www.facebook.com/sharer/sharer.php?u={quote(url, safe="")}"' in page
    assert f'href="https://sp.zalo.me/share_to_zalo?url={quote(url, safe="")}"' in page
    assert f'<input id="share-url" class="share-url" type="text" readonly value="{url}">' in page
    assert re.search(r'<button type="button" class="[^"]*js-copy-link"[^>]* hidden>Copy link</button>', page)
    assert "/static/js/share.js" in page and "style=" not in page and "<script>" not in page


def test_the_dialogue_page_and_transcript_have_open_graph_tags_and_share_links(client):
    session = DialogueSessionFactory(title="Đối thoại về đất đai", agency__name="Sở Tư pháp", description="")
    page = client.get(reverse("dialogues:detail", args=[session.pk])).content.decode()
    url = f"http://testserver{reverse('dialogues:detail', args=[session.pk])}"
    assert _meta(page, "og:title") == ["Đối thoại về đất đai"] and _meta(page, "og:url") == [url]
    expected = "Online dialogue with Sở Tư pháp: ask your questions and follow the answers live."
    assert _meta(page, "og:description") == [expected] and _meta(page, "description") == [expected]
    assert f"share_to_zalo?url={quote(url, safe='')}" in page and "/static/js/share.js" in page
    transcript = client.get(reverse("dialogues:transcript", args=[session.pk]))
    if transcript.status_code == 200:  # only once the session has ended
        assert _meta(transcript.content.decode(), "og:title") == ["Đối thoại về đất đai"]


def test_vietnamese_pages_say_vi_vn(client):
    question = _published()
    page = Client(HTTP_ACCEPT_LANGUAGE="vi").get(question.get_absolute_url()).content.decode()
    assert _meta(page, "og:locale") == ["vi_VN"]
    assert _meta(page, "og:description")[0].startswith("Trả lời của Sở Tài nguyên và Môi trường: ")


@pytest.mark.parametrize(
    "name,args",
    [
        ("qa:home", []),
        ("qa:archive", []),
        ("qa:ask", []),
        ("qa:lookup", []),
        ("qa:lost_link", []),
        ("dialogues:list", []),
        ("stats:statistics", []),
        ("stats:open_data", []),
    ],
)
def test_every_public_page_has_one_meta_description(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    (description,) = _meta(response.content.decode(), "description")
    assert len(description) > 40


def test_agency_and_topic_pages_describe_themselves(client):
    question = _published()
    agency = client.get(reverse("qa:agency", args=[question.agency.slug])).content.decode()
    topic = client.get(reverse("qa:topic", args=[question.topic.slug])).content.decode()
    assert _meta(agency, "description") == [
        "Questions answered by Sở Tài nguyên và Môi trường, and how to ask your own."
    ]
    assert _meta(topic, "description")[0].startswith(f"Questions and answers about {question.topic.name}")


def test_the_empty_lookup_form_may_be_indexed_but_not_a_filled_in_one(client):
    response = client.get(reverse("qa:lookup"))
    empty = response.content.decode()
    assert 'name="robots"' not in empty and 'rel="canonical"' in empty and "X-Robots-Tag" not in response
    prefilled = client.get(reverse("qa:lookup") + "?reference=HP-STP-2026-000123")
    assert '<meta name="robots" content="noindex">' in prefilled.content.decode()
    assert prefilled["X-Robots-Tag"] == "noindex"
    posted = client.post(reverse("qa:lookup"), {"reference": "HP-STP-2026-000123", "secret": "123456"})
    assert '<meta name="robots" content="noindex">' in posted.content.decode()
