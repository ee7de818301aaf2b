"""Citizen-facing pages. Thin: they parse input, call services/selectors and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import selectors
from .services import question_confirm_email


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "qa/home.html", {"latest": selectors.archive()[:10]})


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        question = question_confirm_email(token=token)
    except ValidationError as exc:
        return render(request, "qa/confirm_failed.html", {"error": exc.messages[0]}, status=400)
    messages.success(request, "OK")
    return redirect(question.tracking_path())


def track(request: HttpRequest, reference: str) -> HttpResponse:
    question = selectors.tracked_question(reference, request.GET.get("token"))
    return render(request, "qa/track.html", {"question": question, "answer": selectors.sent_answer(question)})


def question_detail(request: HttpRequest, reference: str) -> HttpResponse:
    question = selectors.public_question(reference)
    return render(request, "qa/question_detail.html", {"question": question})
