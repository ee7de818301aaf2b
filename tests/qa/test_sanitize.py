"""Answer HTML keeps paragraphs, lists, bold, italic and links, and nothing that can run or restyle the page."""

import pytest

from qa.sanitize import clean_answer_html, clean_plain_text, html_to_text


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Xin chào<script>alert(1)</script></p>", "<p>Xin chào</p>"),
        ("<p onclick=\"steal()\" onmouseover='x()'>Đất</p>", "<p>Đất</p>"),
        ('<p style="position:fixed;top:0">Thuế</p>', "<p>Thuế</p>"),
        ("<style>body{display:none}</style><p>ok</p>", "<p>ok</p>"),
        ('<a href="javascript:alert(1)">bấm</a>', '<a rel="nofollow noopener">bấm</a>'),
        ('<a href="JaVaScRiPt:alert(1)">bấm</a>', '<a rel="nofollow noopener">bấm</a>'),
        ('<a href="data:text/html,<script>1</script>">x</a>', '<a rel="nofollow noopener">x</a>'),
        ('<a href="/admin/">x</a>', '<a rel="nofollow noopener">x</a>'),
        ('<img src="x" onerror="alert(1)">ảnh', "ảnh"),
        ('<iframe src="https://evil.example"></iframe>còn lại', "còn lại"),
        ("<!-- ghi chú --><p>a</p>", "<p>a</p>"),
        ("<h1>Tiêu đề</h1><table><tr><td>ô</td></tr></table>", "Tiêu đềô"),
    ],
)
def test_dangerous_markup_is_removed(dirty, clean):
    assert clean_answer_html(dirty) == clean


def test_allowed_markup_is_kept():
    html = (
        "<p>Đoạn <strong>đậm</strong> <b>đậm</b> <em>nghiêng</em> <i>nghiêng</i><br>dòng mới</p>"
        "<ul><li>một</li></ul><ol><li>hai</li></ol>"
    )
    assert clean_answer_html(html) == html


def test_links_keep_safe_schemes_and_get_rel():
    html = (
        '<a href="https://thuvienphapluat.vn/luat-dat-dai" target="_blank" rel="opener" title="t">Luật</a> '
        '<a href="http://haiphong.gov.vn">cổng</a> <a href="mailto:stnmt@haiphong.gov.vn">thư</a>'
    )
    assert clean_answer_html(html) == (
        '<a href="https://thuvienphapluat.vn/luat-dat-dai" rel="nofollow noopener">Luật</a> '
        '<a href="http://haiphong.gov.vn" rel="nofollow noopener">cổng</a> '
        '<a href="mailto:stnmt@haiphong.gov.vn" rel="nofollow noopener">thư</a>'
    )


def test_text_is_nfc_and_control_characters_go():
    decomposed = "Lê Chân".replace("ê", "e\u0302")
    assert clean_answer_html(f"<p>{decomposed}\x00\x07</p>") == "<p>Lê Chân</p>"


def test_plain_text_drops_markup_and_decodes_entities():
    assert clean_plain_text("Hỏi <b>về</b> đất &amp; nhà<script>x()</script>") == "Hỏi về đất & nhà"
    assert clean_plain_text("a\r\n\r\n\r\n\r\nb") == "a\n\nb"
    assert clean_plain_text(None) == ""


def test_html_to_text_reads_like_text():
    assert html_to_text("<p>a &amp; b</p><ul><li>x</li><li>y</li></ul>") == "a & b\nx\ny"
    assert html_to_text("<p> </p><br>") == ""


def test_no_attribute_survives_except_href():
    assert clean_answer_html('<p title="x" lang="en" class="c" id="i" dir="rtl">a</p>') == "<p>a</p>"
