"""The embedded run prints e-mails as readable text with their links, not raw MIME."""

import io

from django.core.mail import EmailMultiAlternatives

from notifications.console_email import ReadableConsoleEmailBackend


def test_a_vietnamese_email_is_printed_readably_with_its_links():
    stream = io.StringIO()
    link = "http://127.0.0.1:8101/confirm/eyJxIjoxLCJlIjoiYWJjIn0:1vS3xY:abcdefghijklmnopqrstuvwxyz0123456789ABCD/"
    message = EmailMultiAlternatives(
        subject="Xác nhận câu hỏi HP-STP-2026-000123",
        body=f"Kính gửi bà Nguyễn Thị Quê,\n\nMở liên kết sau để xác nhận câu hỏi: {link}\n\nTrân trọng.",
        from_email="Hỏi đáp <hoidap@localhost>",
        to=["que@example.vn"],
    )
    message.attach_alternative("<p>Kính gửi…</p>", "text/html")
    assert ReadableConsoleEmailBackend(stream=stream).send_messages([message]) == 1
    out = stream.getvalue()
    assert "Subject: Xác nhận câu hỏi HP-STP-2026-000123" in out
    assert "Kính gửi bà Nguyễn Thị Quê," in out
    assert f"  {link}\n" in out  # whole, on a line of its own
    assert "Content-Transfer-Encoding" not in out and "=?utf-8?" not in out and "<p>" not in out
