"""Hostile uploads: every kind is parsed whole, refused with its reason, stored under the detected type only.

Each hostile file is built here: a PDF header over an HTML page, polyglots, a Word zip bomb (1 GiB of zeros,
streamed), too many entries, path traversal names, a photo with its GPS position, a pixel bomb, a renamed
program, an SVG, a real file under a wrong extension. Through the ask form and the API a refusal names the
file and keeps everything else the asker typed.
"""

import functools
import io
import struct
import time
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from rest_framework.test import APIClient

from qa import files
from qa.files import DOCX, JPEG, PDF, PNG, UploadRejected, check_upload, validate_attachments
from qa.models import Attachment, Question
from tests.factories import AgencyFactory, MembershipFactory, QuestionFactory, TopicFactory, UserFactory
from tests.uploads import DOCX_CONTENT_TYPES, docx_bytes, image_bytes, jpeg_bytes, pdf_bytes, png_bytes, upload

GIB = 1024**3
MIB = 1024**2


def _refused(name: str, data: bytes) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        check_upload(upload(name, data))
    return caught.value


# --- PDF ----------------------------------------------------------------------------------------------------


def test_a_real_pdf_is_kept_byte_for_byte_under_a_pdf_name():
    data = pdf_bytes(pages=3)
    stored, content_type = check_upload(upload("Đơn đề nghị.PDF", data))
    assert content_type == PDF
    assert stored.name == "Đơn đề nghị.pdf"
    stored.seek(0)
    assert stored.read() == data


def test_a_pdf_header_over_an_html_page_is_refused():
    page = b"%PDF-1.7\n<html><body><script>fetch('/staff/').then(r => r.text())</script></body></html>\n"
    assert _refused("to-khai.pdf", page).code == "markup"
    # The same without any tag a browser would run: still not a PDF.
    assert _refused("to-khai.pdf", b"%PDF-1.7\nthis is plain text pretending\n%%EOF\n").code == "pdf_broken"
    assert _refused("to-khai.pdf", b"%PDF-1.4\n" + b"A" * 5000).code == "pdf_broken"


def test_a_few_stray_bytes_after_the_end_are_tolerated():
    _stored, content_type = check_upload(upload("scan.pdf", pdf_bytes() + b"\r\n\x00\x00%scanner 4.2\r\n"))
    assert content_type == PDF


def test_polyglots_are_refused():
    real = pdf_bytes()
    # A real PDF with a web page after its end, or a zip archive appended (a PDF that is also a zip).
    assert _refused("a.pdf", real + b"<html><script>alert(1)</script></html>").code in {"markup", "hidden_data"}
    assert _refused("a.pdf", real + docx_bytes()).code == "hidden_data"
    # A real PDF whose opening comment is a web page.
    header, rest = real.split(b"\n", 1)
    assert _refused("a.pdf", header + b"\n%<!DOCTYPE html><script>alert(1)</script>\n" + rest).code == "markup"
    # A Word document with a page in the zip comment.
    archive = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(archive, "a") as z:
        z.comment = b"<html><script>alert(1)</script></html>"
    assert _refused("a.docx", archive.getvalue()).code == "markup"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_password_locked_pdf_is_refused_an_owner_only_password_is_not(algorithm):
    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm=algorithm)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    assert _refused("khoa.pdf", encrypted("mat-khau")).code == "encrypted"
    _stored, content_type = check_upload(upload("chi-han-che-in.pdf", encrypted("")))
    assert content_type == PDF


def test_page_cap(settings):
    settings.QA_UPLOAD_MAX_PDF_PAGES = 3
    check_upload(upload("ba-trang.pdf", pdf_bytes(pages=3)))
    with translation.override("en"):
        rejected = _refused("bon-trang.pdf", pdf_bytes(pages=4))
    assert rejected.code == "pdf_pages"
    assert rejected.messages == ["“bon-trang.pdf” has more than 3 pages."]
    with translation.override("vi"):
        assert _refused("bon-trang.pdf", pdf_bytes(pages=4)).messages == ["Tệp “bon-trang.pdf” có hơn 3 trang."]


def test_a_pdf_that_runs_script_when_opened_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('xin chao');")}
    )
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    assert _refused("js.pdf", out.getvalue()).code == "pdf_active"


# --- Word documents (OOXML) -----------------------------------------------------------------------------------


def test_a_real_docx_is_accepted():
    stored, content_type = check_upload(upload("don.docx", docx_bytes()))
    assert content_type == DOCX and stored.name == "don.docx"


def _zip_with_zeros(declared_total: int, *, entries: int = 1) -> bytes:
    """A Word package plus `entries` parts of zeros, `declared_total` bytes in all, streamed in 1 MiB chunks."""
    out = io.BytesIO()
    zeros = bytes(MIB)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        for n in range(entries):
            with archive.open(f"word/media/zeros{n}.bin", "w", force_zip64=True) as part:
                for _ in range(declared_total // entries // MIB):
                    part.write(zeros)
    return out.getvalue()


@functools.lru_cache(maxsize=2)
def _docx_bomb(unpacked: int) -> bytes:
    """A Word package whose third part is `unpacked` bytes of zeros, deflated at the format's best ratio (~1:1000).

    Built by hand in well under a second: after a full flush deflate writes the same block for every MiB of
    zeros, so one block is computed and repeated; the CRC is the true one. Sizes go in zip64 fields.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * (unpacked // MIB) + compressor.flush()
    crc = 0
    for _ in range(unpacked // MIB):
        crc = zlib.crc32(bytes(MIB), crc)
    members = [
        ("[Content_Types].xml", 0, DOCX_CONTENT_TYPES, zlib.crc32(DOCX_CONTENT_TYPES), len(DOCX_CONTENT_TYPES)),
        ("word/document.xml", 0, b"<w:document/>", zlib.crc32(b"<w:document/>"), 13),
        ("word/media/image1.bin", 8, stream, crc, unpacked),
    ]
    out, central = bytearray(), bytearray()
    for name, method, data, member_crc, size in members:
        encoded = name.encode()
        offset = len(out)
        zip64 = struct.pack("<HHQQ", 1, 16, size, len(data))
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 45, 0, method, 0, 0x21, member_crc, 0xFFFFFFFF, 0xFFFFFFFF, len(encoded), 20
        )
        out += encoded + zip64 + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            45,
            45,
            0,
            method,
            0,
            0x21,
            member_crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(encoded),
            20,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded + zip64
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def test_the_hand_built_bomb_is_a_real_zip():
    small = _docx_bomb(3 * MIB)
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        assert archive.testzip() is None  # every CRC right
        assert archive.read("word/media/image1.bin") == bytes(3 * MIB)
        assert archive.getinfo("word/media/image1.bin").file_size == 3 * MIB


def test_a_docx_zip_bomb_of_one_gib_is_refused_quickly():
    bomb = _docx_bomb(GIB)
    assert len(bomb) < 1.1 * MIB  # 1 MB that unpacks to 1 GiB
    started = time.monotonic()
    rejected = _refused("bao-cao.docx", bomb)
    assert rejected.code == "zip_bomb"
    assert time.monotonic() - started < 2, "the sizes are checked before anything is unpacked"


def test_a_bomb_under_the_total_is_refused_by_its_compression_ratio():
    assert _refused("nho.docx", _zip_with_zeros(40 * MIB)).code == "zip_bomb"


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite a member's uncompressed size in its local header and its central directory entry."""
    out = bytearray(data)
    name = member.encode()
    for signature, name_length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            length = int.from_bytes(out[at + name_length_at : at + name_length_at + 2], "little")
            if out[at + name_at : at + name_at + length] == name:
                out[at + size_at : at + size_at + 4] = size.to_bytes(4, "little")
            start = at + 4
    return bytes(out)


def test_a_bomb_that_lies_about_its_size_is_stopped_at_the_declared_size():
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/zeros.bin", bytes(64 * MIB))
    liar = _declare_size(packed.getvalue(), "word/media/zeros.bin", 1000)
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        assert archive.getinfo("word/media/zeros.bin").file_size == 1000  # what a size check alone would see
    started = time.monotonic()
    assert _refused("noi-doi.docx", liar).code == "docx_broken"  # unpacking stops at 1,000 bytes: CRC mismatch
    assert time.monotonic() - started < 2


def test_too_many_entries(settings):
    settings.QA_UPLOAD_MAX_ZIP_ENTRIES = 1000
    extra = {f"word/media/p{n}.xml": b"<p/>" for n in range(1000)}
    rejected = _refused("nhieu.docx", docx_bytes(extra))
    assert rejected.code == "zip_entries"


@pytest.mark.parametrize(
    "name", ["../../../etc/cron.d/x", "/etc/passwd", "word\\..\\..\\evil.dll", "C:/Windows/evil.dll", "word/../../x"]
)
def test_path_traversal_names(name):
    assert _refused("duong-dan.docx", docx_bytes({name: b"x"})).code == "zip_names"


def test_not_a_word_package():
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    assert _refused("a.docx", plain_zip.getvalue()).code == "docx_broken"
    spreadsheet_types = DOCX_CONTENT_TYPES.replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")
    assert _refused("a.docx", docx_bytes(content_types=spreadsheet_types)).code == "docx_broken"
    with_dtd = DOCX_CONTENT_TYPES.replace(b"<Types", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Types', 1)
    assert _refused("a.docx", docx_bytes(content_types=with_dtd)).code == "docx_broken"
    assert _refused("a.docx", docx_bytes()[:200]).code == "docx_broken"


def test_macros_are_refused():
    assert _refused("macro.docx", docx_bytes({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})).code == "macros"


# --- Images -------------------------------------------------------------------------------------------------


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Điện thoại của ông Tư"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (20.0, 51.0, 30.0)  # Hải Phòng
    gps[3], gps[4] = "E", (106.0, 41.0, 15.0)
    return image_bytes("JPEG", size=(80, 60), exif=exif)


def test_a_photo_loses_its_gps_position_and_camera_but_stays_upright():
    original = _photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry a position
    stored, content_type = check_upload(upload("anh-hien-truong.jpeg", original))
    assert content_type == JPEG and stored.name == "anh-hien-truong.jpg"
    stored.seek(0)
    cleaned = stored.read()
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        assert image.size == (60, 80)  # turned as the camera said, so nothing depends on the dropped tag
    assert b"Model X" not in cleaned and b"GPS" not in cleaned


def test_comments_text_and_xmp_are_dropped_too():
    exif = Image.Exif()
    exif[0x0110] = "Model X"
    jpeg, png = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (10, 10)).save(
        jpeg, "JPEG", exif=exif, comment=b"Nha so 12 ngo 34", xmp=b"<x:xmpmeta>toa-do-gps</x:xmpmeta>"
    )
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Nha so 12 ngo 34")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>toa-do-gps</x:xmpmeta>")
    Image.new("RGB", (10, 10)).save(png, "PNG", exif=exif, pnginfo=text)
    for name, data in (("a.jpg", jpeg.getvalue()), ("a.png", png.getvalue())):
        assert b"Nha so 12" in data and b"toa-do-gps" in data
        stored, _content_type = check_upload(upload(name, data))
        stored.seek(0)
        cleaned = stored.read()
        for secret in (b"Model X", b"Nha so 12", b"toa-do-gps", b"eXIf"):
            assert secret not in cleaned, (name, secret)


def test_data_after_an_image_is_dropped_by_the_reencoding():
    stored, _content_type = check_upload(upload("a.png", png_bytes() + b"<html><script>alert(1)</script></html>"))
    stored.seek(0)
    assert b"<script" not in stored.read()


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(7000, 7000), (100_000, 100_000)])
def test_pixel_bombs_are_refused_before_decoding(size):
    started = time.monotonic()
    rejected = _refused("bom.png", _png_header_only(*size))
    assert rejected.code == "image_pixels"
    assert time.monotonic() - started < 2


def test_a_truncated_photo_is_refused():
    assert _refused("hong.jpg", jpeg_bytes()[:-40]).code == "image_broken"


# --- Other kinds ------------------------------------------------------------------------------------------------


def test_a_renamed_program_is_refused():
    program = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100 + b"This program cannot be run in DOS"
    )
    for name in ("anh.jpg", "don.pdf", "van-ban.docx"):
        assert _refused(name, program).code == "bad_type"


def test_svg_is_refused_with_its_own_reason():
    drawing = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    rejected = _refused("so-do.png", drawing)
    assert rejected.code == "svg"
    with translation.override("en"):
        assert "SVG" in rejected.messages[0]
    assert _refused("so-do.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>").code == "svg"


@pytest.mark.parametrize(
    ("name", "data", "content_type", "stored_name"),
    [
        ("giay-to.html", pdf_bytes(), PDF, "giay-to.pdf"),
        ("scan.pdf", png_bytes(), PNG, "scan.png"),
        ("anh.png", jpeg_bytes(), JPEG, "anh.jpg"),
        ("don.exe", docx_bytes(), DOCX, "don.docx"),
        ("khong-duoi", pdf_bytes(), PDF, "khong-duoi.pdf"),
        ("../../evil.php.html", pdf_bytes(), PDF, "evil.php.pdf"),
    ],
)
def test_the_stored_name_follows_the_content_never_the_client(name, data, content_type, stored_name):
    stored, detected = check_upload(upload(name, data))
    assert detected == content_type
    assert stored.name == stored_name


def test_every_refused_file_is_named_at_once():
    with pytest.raises(Exception) as caught:
        validate_attachments([upload("a.pdf", b"%PDF-1.4 not really"), upload("b.png", b"<svg></svg>")])
    assert len(caught.value.messages) == 2


# --- Stored and served ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_stored_under_a_random_name_with_the_detected_extension_and_served_as_a_download(client):
    agency = AgencyFactory()
    question = QuestionFactory(agency=agency)
    stored, content_type = check_upload(upload("giay-to.html", pdf_bytes()))
    attachment = Attachment.objects.create(
        question=question, file=stored, original_name=stored.name, content_type=content_type, size=stored.size
    )
    assert attachment.file.name.startswith("attachments/") and attachment.file.name.endswith(".pdf")
    assert "giay-to" not in attachment.file.name
    staff = UserFactory()
    MembershipFactory(user=staff, agency=agency)
    client.force_login(staff)
    response = client.get(reverse("staff:attachment", args=[question.reference, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="giay-to.pdf"' in response["Content-Disposition"]


@pytest.mark.django_db
def test_an_old_row_named_html_downloads_under_its_type(client):
    """Rows stored before the checks keep their name, but the download takes the type's extension."""
    agency = AgencyFactory()
    question = QuestionFactory(agency=agency)
    attachment = Attachment.objects.create(
        question=question,
        file=SimpleUploadedFile("x.pdf", pdf_bytes()),
        original_name="to-khai.html",
        content_type=PDF,
        size=10,
    )
    staff = UserFactory()
    MembershipFactory(user=staff, agency=agency)
    client.force_login(staff)
    response = client.get(reverse("staff:attachment", args=[question.reference, attachment.pk]))
    assert 'filename="to-khai.pdf"' in response["Content-Disposition"]


# --- Through the ask form and the API --------------------------------------------------------------------------

HOSTILE = [
    ("to-khai.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "markup"),
    ("bao-cao.docx", None, "zip_bomb"),
    ("anh.jpg", b"MZ\x90\x00" + b"\x00" * 200, "bad_type"),
    ("so-do.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "svg"),
]


def _hostile(name: str, data: bytes | None) -> SimpleUploadedFile:
    return upload(name, data if data is not None else _docx_bomb(GIB))


def _message_for(name: str, data: bytes | None) -> str:
    try:
        check_upload(_hostile(name, data))
    except UploadRejected as exc:
        return exc.messages[0]
    raise AssertionError("accepted")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "code"), HOSTILE)
def test_the_ask_form_refuses_with_the_reason_and_keeps_what_was_typed(client, name, data, code):
    agency, topic = AgencyFactory(), TopicFactory()
    title = "Hỏi về thủ tục tách thửa đất ở huyện Thủy Nguyên"
    body = "Gia đình tôi muốn tách thửa đất đang sử dụng, xin hỏi cần chuẩn bị hồ sơ gì?"
    form = {
        "agency": str(agency.pk),
        "topic": str(topic.pk),
        "title": title,
        "body": body,
        "asker_type": "individual",
        "name": "Lê Văn Hỏi",
        "email": "le.van.hoi@example.vn",
        "phone": "0912 345 678",
        "consent_to_publish": "on",
        "website": "",
    }
    good = upload("don.pdf", pdf_bytes())
    response = client.post(reverse("qa:ask"), {**form, "attachments": [good, _hostile(name, data)]})
    page = response.content.decode()
    assert response.status_code == 200  # the form again, with its errors
    with translation.override("vi"):  # the page's language (no Accept-Language: the default)
        assert escape(_message_for(name, data)) in page
    assert f'value="{title}"' in page and body in page and "le.van.hoi@example.vn" in page
    assert 'id="files-note"' in page  # asked to attach again
    assert not Question.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "code"), HOSTILE)
def test_the_api_refuses_with_the_reason(name, data, code):
    agency, topic = AgencyFactory(), TopicFactory()
    payload = {
        "agency": agency.pk,
        "topic": topic.pk,
        "title": "Hỏi về thủ tục đăng ký hộ kinh doanh",
        "body": "Tôi muốn mở cửa hàng tạp hóa tại nhà, cần giấy tờ gì?",
        "asker_type": "individual",
        "name": "Phạm Thị Hoa",
        "email": "hoa@example.vn",
        "consent_to_publish": "true",
    }
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/api/v1/questions/", {**payload, "attachments": [_hostile(name, data)]}, format="multipart")
    assert response.status_code == 400, response.content
    with translation.override("en"):
        assert response.json() == {"attachments": [_message_for(name, data)]}
    assert not Question.objects.exists() and not Attachment.objects.exists()
    # The same question with a real file goes through.
    ok = client.post(
        "/api/v1/questions/", {**payload, "attachments": [upload("don.pdf", pdf_bytes())]}, format="multipart"
    )
    assert ok.status_code == 201, ok.content
    stored = Attachment.objects.get()
    assert stored.file.name.endswith(".pdf") and stored.content_type == PDF


def test_the_module_lists_one_extension_per_type():
    assert files.EXTENSIONS == {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}
