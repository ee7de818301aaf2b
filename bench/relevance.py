"""Relevance of the archive search: nDCG@10 and recall@10 over labelled queries (issue 17).

The queries were written for this project in the ways citizens type them: single terms, phrases, sentences, with
and without diacritics, with misspellings. Each names the procedure it asks about.

Judgements, by a stated rule rather than by hand: every question of the generated archive
(qa/management/commands/_archive_corpus.py) is about the one procedure its title names (every title pattern
holds its procedure, the body and answer talk about the same topic's others too), and the demo's questions
(qa.demo_content) name theirs in their titles as well. A result is relevant when its title, folded (no
diacritics, lower case), holds one of the query's labelled procedures, folded. Binary gains; nDCG@10 against the
ideal ranking of min(10, relevant questions in the archive) relevant results; recall@10 is the relevant results
in the top 10 over min(10, relevant questions in the archive) (the archive holds thousands per procedure at a
million rows, so the top 10 is what a person reads).

The search runs in this process as the web page and the API call it (qa.selectors.archive_page, relevance order,
archive cache not involved), timed per query; sentence queries are reported on their own (target p95 ≤ 50 ms).
"""

import time
from dataclasses import dataclass

from .stack import percentile

# (kind, query, labelled procedures)
QUERIES: list[tuple[str, str, list[str]]] = [
    # Single terms: one word of several syllables, as typed into a search box.
    ("term", "tách thửa", ["tách thửa đất ở"]),
    ("term", "thai sản", ["hưởng chế độ thai sản"]),
    ("term", "khai tử", ["trích lục khai tử"]),
    ("term", "hoàn công", ["hoàn công nhà ở"]),
    ("term", "đăng kiểm", ["đăng kiểm xe ô tô"]),
    ("term", "bán trú", ["đăng ký học bán trú"]),
    ("term", "hộ nghèo", ["xét hộ nghèo", "cấp thẻ bảo hiểm y tế cho hộ cận nghèo"]),
    ("term", "thất nghiệp", ["hưởng trợ cấp thất nghiệp"]),
    ("term", "lương hưu", ["tính lương hưu"]),
    ("term", "tiêm chủng", ["tiêm chủng mở rộng cho trẻ em"]),
    ("term", "học phí", ["miễn giảm học phí"]),
    ("term", "giải thể", ["giải thể doanh nghiệp"]),
    ("term", "thu gom rác", ["thu gom rác thải sinh hoạt"]),
    ("term", "tiếng ồn", ["xử lý tiếng ồn từ xưởng sản xuất"]),
    ("term", "hóa đơn điện tử", ["xuất hóa đơn điện tử"]),
    ("term", "khuyết tật", ["hỗ trợ người khuyết tật"]),
    # The same without diacritics.
    ("folded", "tach thua", ["tách thửa đất ở"]),
    ("folded", "che do thai san", ["hưởng chế độ thai sản"]),
    ("folded", "hoan cong nha o", ["hoàn công nhà ở"]),
    ("folded", "dang kiem xe o to", ["đăng kiểm xe ô tô"]),
    ("folded", "tro cap that nghiep", ["hưởng trợ cấp thất nghiệp"]),
    ("folded", "rut bao hiem xa hoi mot lan", ["rút bảo hiểm xã hội một lần"]),
    ("folded", "quyet toan thue thu nhap ca nhan", ["quyết toán thuế thu nhập cá nhân"]),
    ("folded", "doi giay phep lai xe", ["đổi giấy phép lái xe"]),
    ("folded", "dang ky ket hon voi nguoi nuoc ngoai", ["đăng ký kết hôn với người nước ngoài"]),
    ("folded", "giay phep moi truong", ["cấp giấy phép môi trường"]),
    # Phrases with diacritics: several common syllables together.
    ("phrase", "hộ kinh doanh", ["đăng ký hộ kinh doanh", "nộp thuế cho hộ kinh doanh"]),
    ("phrase", "đăng ký thường trú", ["đăng ký thường trú"]),
    ("phrase", "giấy phép lái xe bị mất", ["cấp lại giấy phép lái xe bị mất"]),
    ("phrase", "cấp giấy chứng nhận quyền sử dụng đất", ["cấp giấy chứng nhận quyền sử dụng đất"]),
    ("phrase", "chuyển mục đích sử dụng đất", ["chuyển mục đích sử dụng đất nông nghiệp sang đất ở"]),
    ("phrase", "giấy phép xây dựng nhà ở riêng lẻ", ["cấp giấy phép xây dựng nhà ở riêng lẻ"]),
    ("phrase", "bằng tốt nghiệp", ["cấp lại bằng tốt nghiệp trung học phổ thông"]),
    ("phrase", "chuyển tuyến điều trị", ["chuyển tuyến điều trị"]),
    ("phrase", "người đại diện theo pháp luật", ["thay đổi người đại diện theo pháp luật"]),
    ("phrase", "thừa kế quyền sử dụng đất", ["thừa kế quyền sử dụng đất"]),
    ("phrase", "ô nhiễm nguồn nước", ["phản ánh ô nhiễm nguồn nước"]),
    ("phrase", "hợp đồng lao động thử việc", ["ký hợp đồng lao động thử việc"]),
    ("phrase", "xác nhận tình trạng hôn nhân", ["xác nhận tình trạng hôn nhân"]),
    ("phrase", "mã số thuế người phụ thuộc", ["đăng ký mã số thuế cho người phụ thuộc"]),
    # Sentences as citizens type them: common syllables ("xin", "hỏi", "tôi", "về", "việc", "cho", "được") around
    # the words that matter.
    ("sentence", "cho tôi hỏi về việc đăng ký hộ khẩu thường trú cho con", ["đăng ký thường trú"]),
    ("sentence", "xin hỏi thủ tục tách thửa đất ở cần những giấy tờ gì", ["tách thửa đất ở"]),
    ("sentence", "tôi muốn rút bảo hiểm xã hội một lần thì làm thế nào", ["rút bảo hiểm xã hội một lần"]),
    ("sentence", "vợ tôi sinh con thì được hưởng chế độ thai sản bao lâu", ["hưởng chế độ thai sản"]),
    ("sentence", "nhà tôi xây xong rồi thì hoàn công ở đâu", ["hoàn công nhà ở"]),
    ("sentence", "con tôi muốn chuyển trường tiểu học giữa năm có được không", ["chuyển trường cho học sinh tiểu học"]),
    ("sentence", "tôi bị mất bằng lái xe thì xin cấp lại như thế nào", ["cấp lại giấy phép lái xe bị mất"]),
    ("sentence", "công ty tôi muốn tạm ngừng kinh doanh ba tháng", ["tạm ngừng kinh doanh"]),
    ("sentence", "xưởng gần nhà gây tiếng ồn cả đêm thì phản ánh ở đâu", ["xử lý tiếng ồn từ xưởng sản xuất"]),
    (
        "sentence",
        "bà tôi tám mươi tuổi có được hưởng trợ cấp người cao tuổi không",
        ["hưởng trợ cấp cho người cao tuổi"],
    ),
    ("sentence", "xin hoi thu tuc dang ky khai sinh cho con", ["đăng ký khai sinh cho con"]),
    ("sentence", "toi muon doi ten trong giay khai sinh", ["thay đổi họ tên trong giấy khai sinh"]),
    (
        "sentence",
        "khám bệnh trái tuyến có được bảo hiểm y tế thanh toán không",
        ["khám chữa bệnh bằng bảo hiểm y tế trái tuyến"],
    ),
    (
        "sentence",
        "nhà nước thu hồi đất của gia đình tôi thì được bồi thường thế nào",
        ["bồi thường khi Nhà nước thu hồi đất"],
    ),
    # Misspellings: wrong or missing tones, a dropped letter, words run together.
    ("misspelled", "tách thữa đất", ["tách thửa đất ở"]),
    ("misspelled", "hoàn thuê giá trị gia tăng", ["hoàn thuế giá trị gia tăng"]),
    ("misspelled", "dang kiem xe oto", ["đăng kiểm xe ô tô"]),
    ("misspelled", "tro cap that nhiep", ["hưởng trợ cấp thất nghiệp"]),
    ("misspelled", "giấy phép lai xe", ["đổi giấy phép lái xe", "cấp lại giấy phép lái xe bị mất"]),
    ("misspelled", "so do bi rach", ["cấp đổi sổ đỏ bị rách"]),
    ("misspelled", "tuyễn sinh lớp 6", ["tuyển sinh vào lớp 6"]),
    ("misspelled", "xet tuyen lop 10 cong lap", ["xét tuyển vào lớp 10 công lập"]),
    ("misspelled", "đăng ký xe máy chín chủ", ["đăng ký xe máy chính chủ"]),
    ("misspelled", "giấy phép lao động người nước ngòai", ["cấp giấy phép lao động cho người nước ngoài"]),
]


@dataclass
class RelevanceResult:
    queries: int
    ndcg10: float
    recall10: float
    by_kind: dict  # kind -> {"ndcg10", "recall10", "queries", "p95_ms"}
    p95_ms: float | None
    worst: list  # (query, ndcg) of the five worst
    archive_rows: int


def _dcg(gains: list[int]) -> float:
    import math

    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def run() -> RelevanceResult:
    """Every labelled query against the archive in the current database."""
    from qa import selectors
    from qa.models import Question, QuestionStatus
    from qa.text import fold

    published = Question.objects.filter(status=QuestionStatus.PUBLISHED)
    rows = published.count()
    per_kind: dict[str, dict] = {}
    scores = []
    for kind, query, procedures in QUERIES:
        wanted = [fold(p) for p in procedures]
        started = time.perf_counter()
        page = selectors.archive_page(search=query, ordering="relevance", size=10)
        elapsed = (time.perf_counter() - started) * 1000
        gains = [int(any(w in fold(q.public_title) for w in wanted)) for q in page.questions]
        available = 0
        for procedure in procedures:
            available += published.filter(public_title__icontains=procedure)[:10].count()
        ideal = _dcg([1] * min(10, available))
        ndcg = _dcg(gains) / ideal if ideal else 0.0
        recall = sum(gains) / min(10, available) if available else 0.0
        scores.append((query, ndcg, recall))
        bucket = per_kind.setdefault(kind, {"ndcg": [], "recall": [], "ms": []})
        bucket["ndcg"].append(ndcg)
        bucket["recall"].append(recall)
        bucket["ms"].append(elapsed)
    by_kind = {
        kind: {
            "queries": len(v["ndcg"]),
            "ndcg10": sum(v["ndcg"]) / len(v["ndcg"]),
            "recall10": sum(v["recall"]) / len(v["recall"]),
            "p95_ms": percentile(v["ms"], 95),
        }
        for kind, v in per_kind.items()
    }
    all_ms = [ms for v in per_kind.values() for ms in v["ms"]]
    return RelevanceResult(
        queries=len(scores),
        ndcg10=sum(s[1] for s in scores) / len(scores),
        recall10=sum(s[2] for s in scores) / len(scores),
        by_kind=by_kind,
        p95_ms=percentile(all_ms, 95),
        worst=[(q, round(n, 2)) for q, n, _r in sorted(scores, key=lambda s: s[1])[:5]],
        archive_rows=rows,
    )
