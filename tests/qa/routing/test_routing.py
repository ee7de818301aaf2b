"""Routing suggestion (qa.routing): learnt from the final answering agency, held out honestly, quiet when unsure."""

import random

import pytest
from django.utils import timezone

from accounts.models import AgencySuccession, User
from qa.models import Question, RoutingModel
from qa.routing import forget, history, knn, linear, suggest, train, train_if_due, training
from qa.routing.features import question_text, quick_fold
from qa.services import question_transfer
from qa.services.submission import BODY_MAX, TITLE_MAX
from qa.text import fold
from tests.accounts.otp import verified_login
from tests.factories import AgencyFactory
from tests.qa.staff_fixtures import moderator, question_in

from .history import S, agencies_and_topics, answered, text_about

pytestmark = pytest.mark.django_db

URL = "/api/v1/questions/suggest-routing/"


@pytest.fixture(autouse=True)
def _fresh_model(settings):
    settings.QA_ROUTING_MIN_QUESTIONS = 30
    forget()
    yield
    forget()


def test_a_transfer_teaches_the_agency_that_finally_answered():
    agencies, topics = agencies_and_topics()
    answered({"tax": 25, "school": 25}, agencies, topics)
    # Every land question was filed with the tax office, transferred, and answered by the land department.
    tax_moderator = moderator(agencies["tax"])
    rng = random.Random(5)
    for _ in range(25):
        title, body = text_about("land", rng)
        question = question_in(S.SUBMITTED, agencies["tax"], topic=topics["land"], title=title, body=body)
        question_transfer(actor=tax_moderator, question=question, to_agency=agencies["land"], reason="Đúng thẩm quyền")
        question.refresh_from_db()
        question.status, question.answered_at = S.ANSWERED, timezone.now()
        question.save(update_fields=["status", "answered_at"])
    model = train(compare_knn=False)
    assert model is not None and model.approach == "linear"
    found = suggest("xin hỏi thủ tục cấp lại sổ đỏ bị mất", "")
    assert found.agencies[0].id == agencies["land"].pk
    assert found.topics[0].id == topics["land"].pk
    assert found.model_version == model.pk
    assert len(found.agencies) <= 3


def test_a_merged_agency_is_learnt_as_its_successor():
    agencies, topics = agencies_and_topics()
    old = AgencyFactory(name="Sở Tài nguyên và Môi trường", is_active=False)
    AgencySuccession.objects.create(predecessor=old, successor=agencies["land"], effective_date=timezone.localdate())
    answered({"tax": 20, "school": 20}, agencies, topics)
    answered({"land": 20}, {"land": old}, topics, seed=2)
    examples = list(history.answered_examples(1000))
    assert {e.agency_id for e in examples} == {agencies[k].pk for k in ("land", "tax", "school")}
    train(compare_knn=False)
    assert suggest("thủ tục tách thửa đất và cấp sổ đỏ", "").agencies[0].id == agencies["land"].pk


def test_the_held_out_split_never_reaches_training(monkeypatch):
    # Every held-out question carries an agency no training question has: if one leaked, the model would know it.
    agencies, topics = agencies_and_topics()
    answered({"land": 40, "tax": 40}, agencies, topics)
    secret = AgencyFactory(name="Chỉ trong phần giữ lại")
    examples = [
        history.Example(e.id, e.text, secret.pk if history.is_held_out(e.id) else e.agency_id, e.topic_id)
        for e in history.answered_examples(1000)
    ]
    assert any(history.is_held_out(e.id) for e in examples)
    fitted = []
    real_fit_head = linear.fit_head
    monkeypatch.setattr(
        linear,
        "fit_head",
        lambda chunks, labels: fitted.append(sum(map(len, labels))) or real_fit_head(chunks, labels),
    )
    model = train(examples, compare_knn=False, min_questions=1)
    agency, _topic, _scheme = linear.load(model.weights)
    assert secret.pk not in set(agency.classes)
    assert fitted == [model.questions, model.questions]
    assert model.questions + model.held_out == len(examples)
    assert model.held_out == sum(history.is_held_out(e.id) for e in examples)
    # The split is by id, so it is the same at every training.
    data = training.split(examples)
    assert set(data.train_ids).isdisjoint(data.held_ids)
    assert all(history.is_held_out(i) for i in data.held_ids)


def test_held_out_neighbours_never_vote(monkeypatch):
    agencies, topics = agencies_and_topics()
    published = answered({"land": 30}, agencies, topics, status=S.PUBLISHED)
    voted = []
    agencies_votes, _topics = knn.vote("thủ tục sổ đỏ thửa đất", {}, skip=lambda pk: voted.append(pk) or True)
    assert agencies_votes == {}
    assert voted and set(voted) <= {q.pk for q in published}


def test_too_little_history_suggests_nothing(client, settings):
    settings.QA_ROUTING_MIN_QUESTIONS = 100
    agencies, topics = agencies_and_topics()
    answered({"land": 10, "tax": 10}, agencies, topics)
    assert train() is None
    assert RoutingModel.objects.count() == 0
    response = client.get(URL, {"title": "xin hỏi thủ tục cấp lại sổ đỏ bị mất"})
    assert response.status_code == 200
    assert response.json() == {"agencies": [], "topics": [], "confident": False, "model_version": None}


def test_retrain_is_due_after_enough_new_answers(settings):
    settings.QA_ROUTING_RETRAIN_AFTER = 5
    agencies, topics = agencies_and_topics()
    answered({"land": 20, "tax": 20}, agencies, topics)
    first = train_if_due()
    assert first is not None
    assert train_if_due() is None  # nothing new answered
    answered({"school": 6}, agencies, topics, seed=9)
    assert train_if_due().pk > first.pk


def test_the_quick_fold_matches_fold_on_every_word():
    text = "Xin hỏi THỦ TỤC cấp lại Sổ Đỏ bị mất ở Thủy Nguyên, quận Lê Chân; Ưu đãi người có công — Đắk Lắk ờ ữ ỹ"
    assert quick_fold(text).split() != text.split()
    assert fold(quick_fold(text)) == fold(text)
    assert " ".join(quick_fold(text).replace(",", " ").replace(";", " ").replace("—", " ").split()) == fold(text)


def test_unpublished_text_is_learnt_without_personal_data():
    row = {
        "status": S.ANSWERED,
        "title": "Hỏi về sổ đỏ",
        "body": "Tôi là Nguyễn Văn Bí Mật, số điện thoại 0912345678, email bimat@example.vn, xin hỏi về sổ đỏ.",
        "public_title": "",
        "public_body": "",
    }
    text = history.public_text(row)
    assert "0912345678" not in text and "bimat@example.vn" not in text and "sổ đỏ" in text


@pytest.fixture
def trained():
    agencies, topics = agencies_and_topics()
    answered({"land": 20, "tax": 20, "school": 20}, agencies, topics)
    return train(compare_knn=False), agencies, topics


def test_api_suggests_top_three_with_names_and_codes(client, trained):
    model, agencies, _topics = trained
    data = client.get(URL, {"title": "Xin hỏi thủ tục cấp lại sổ đỏ bị mất", "body": "thửa đất của gia đình"}).json()
    assert data["model_version"] == model.pk
    assert data["agencies"][0]["id"] == agencies["land"].pk
    assert set(data["agencies"][0]) == {"id", "name", "code", "score"}
    assert data["agencies"][0]["code"] == agencies["land"].code
    assert len(data["agencies"]) <= 3 and len(data["topics"]) <= 3
    assert data["agencies"] == sorted(data["agencies"], key=lambda a: -a["score"])


@pytest.mark.parametrize("params", [{}, {"title": ""}, {"title": "   "}, {"title": "đất"}, {"body": "sổ"}])
def test_api_empty_or_one_word_gets_no_suggestion(client, trained, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.json()["agencies"] == [] and response.json()["topics"] == []


def test_api_very_long_text_is_cut_before_scoring(client, trained):
    response = client.get(URL, {"title": "sổ đỏ " * 5000, "body": "thửa đất " * 50000})
    assert response.status_code == 200 and response.json()["agencies"]
    assert len(question_text("x" * 50000, "y" * 50000)) == 2 * TITLE_MAX + BODY_MAX + 2


def test_api_is_rate_limited(client, trained, settings):
    settings.QA_SUGGEST_RATE_PER_IP = "2/m"
    assert client.get(URL, {"title": "sổ đỏ bị mất"}).status_code == 200
    assert client.get(URL, {"title": "sổ đỏ bị mất"}).status_code == 200
    response = client.get(URL, {"title": "sổ đỏ bị mất"})
    assert response.status_code == 429 and "Retry-After" in response


def test_a_suggestion_costs_no_query_once_the_model_is_loaded(client, trained, django_assert_num_queries):
    client.get(URL, {"title": "sổ đỏ bị mất"})
    with django_assert_num_queries(0):
        assert client.get(URL, {"title": "hoàn thuế thu nhập cá nhân"}).json()["agencies"]


def test_the_newest_model_is_used_after_a_retrain(trained):
    first, _agencies, _topics = trained
    assert suggest("sổ đỏ bị mất", "").model_version == first.pk
    second = train(compare_knn=False)
    forget()
    assert suggest("sổ đỏ bị mất", "").model_version == second.pk


def test_both_approaches_are_measured_and_the_better_kept():
    agencies, topics = agencies_and_topics()
    answered({"land": 20, "tax": 20, "school": 20}, agencies, topics, status=S.PUBLISHED)
    model = train()
    assert set(model.comparison) == {"linear", "knn"}
    best = max(model.comparison.values(), key=lambda f: (f["agency_top3"], f["agency_top1"]))
    assert model.agency_top3 == best["agency_top3"] and model.agency_top1 == best["agency_top1"]
    assert model.comparison[model.approach]["agency_top1"] == model.agency_top1


def test_schema_lists_the_endpoint(client):
    schema = client.get("/api/schema/").content.decode()
    assert "suggest-routing" in schema


def test_the_site_admin_sees_the_models_read_only_and_can_retrain(client, trained):
    model, _agencies, _topics = trained
    admin = User.objects.create_superuser(email="quantri@example.vn", password="quan-tri-vien-2026")
    verified_login(client, admin)  # the admin requires two-step log-in
    page = client.get("/admin/qa/routingmodel/")
    assert page.status_code == 200 and f">{model.pk}<" in page.content.decode()
    assert client.get(f"/admin/qa/routingmodel/{model.pk}/change/").status_code == 200
    assert client.get("/admin/qa/routingmodel/add/").status_code == 403
    response = client.post(
        "/admin/qa/routingmodel/", {"action": "retrain", "_selected_action": [model.pk]}, follow=True
    )
    assert response.status_code == 200
    assert RoutingModel.objects.count() == 2  # Celery runs eagerly in the tests


def test_staff_registering_a_phone_question_get_the_suggestion(client, trained):
    _model, agencies, _topics = trained
    registrar = moderator(agencies["land"])
    client.force_login(registrar)
    typed = {
        "agency": "",
        "channel": "phone",
        "title": "Xin hỏi thủ tục cấp lại sổ đỏ bị mất",
        "body": "Ông gọi hỏi về thửa đất và tách thửa",
        "name": "Nguyễn Văn Điện",
    }
    response = client.post("/staff/register/", {**typed, "suggest": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    result = page.split('id="routing-result"')[1].split("</div>")[0]
    assert agencies["land"].name in result
    assert "Ông gọi hỏi về thửa đất và tách thửa" in page  # nothing typed is lost
    assert not Question.objects.filter(title=typed["title"]).exists()  # suggesting registers nothing


def test_a_failing_model_suggests_nothing_and_loses_nothing(client, trained, monkeypatch):
    from qa.routing import inference

    def broken(title, body):
        raise RuntimeError("model file damaged")

    monkeypatch.setattr(inference, "_suggest", broken)
    response = client.get(URL, {"title": "xin hỏi thủ tục cấp lại sổ đỏ bị mất"})
    assert response.status_code == 200 and response.json()["agencies"] == []
    typed = {"title": "xin hỏi thủ tục cấp lại sổ đỏ bị mất", "body": "Gia đình tôi làm mất sổ đỏ", "name": "Lê Văn"}
    page = client.post("/ask/", {**typed, "suggest": "1"}).content.decode()
    assert 'value="xin hỏi thủ tục cấp lại sổ đỏ bị mất"' in page and "Gia đình tôi làm mất sổ đỏ" in page


def _submit_controls(page: str, form_start: str) -> list[dict[str, str | None]]:
    """The submit buttons of the form opening with `form_start`, in document order, as attribute dicts."""
    from html.parser import HTMLParser

    form = page[page.index(form_start) :]
    form = form[: form.index("</form>")]
    found: list[dict[str, str | None]] = []

    class Submits(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if (tag == "input" and attributes.get("type") == "submit") or (
                tag == "button" and attributes.get("type", "submit") == "submit"
            ):
                found.append({"tag": tag, **attributes})

    Submits().feed(form)
    return found


@pytest.mark.parametrize(
    ("path", "form_start", "send"),
    [
        ("/ask/", '<form method="post" enctype="multipart/form-data" class="form" id="ask-form"', "Gửi câu hỏi"),
        (
            "/staff/register/",
            '<form method="post" enctype="multipart/form-data" class="form register-form"',
            "Nhập câu hỏi",
        ),
    ],
)
def test_enter_in_a_field_sends_the_form_not_the_suggestion(client, settings, trained, path, form_start, send):
    """Enter in a text field presses the form's first submit button (HTML implicit submission): without JavaScript
    that must send the question, not ask for a suggestion; "Suggest an agency" still comes before the visible send
    button and still works (the tests above)."""
    _model, agencies, _topics = trained
    if path.startswith("/staff/"):
        client.force_login(moderator(agencies["land"]))
    page = client.get(path).content.decode()
    submits = _submit_controls(page, form_start)
    first, *rest = submits
    # The default: no name (so the view sends), off-screen, out of the tab order, hidden from assistive technology,
    # and not display:none (no `hidden`, no inline style), which browsers skip for implicit submission.
    assert "name" not in first and first["class"] == "default-submit"
    assert (first["tabindex"], first["aria-hidden"]) == ("-1", "true")
    assert "hidden" not in first and "style" not in first and "disabled" not in first
    assert first["value"] == send  # what the visible send button says
    # Then the suggestion, then the visible send button (a <button>: the browser tests click it).
    assert [(s["tag"], s.get("name")) for s in rest] == [("input", "suggest"), ("button", None)]
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    rule = css.split(".default-submit {", 1)[1].split("}", 1)[0]
    assert "left: -10000px" in rule and "display" not in rule and "visibility" not in rule
