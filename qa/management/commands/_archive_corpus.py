"""Word lists and sentence patterns for generate_archive: Vietnamese Q&A as a provincial portal receives it.

Written for this project. Each topic has its own procedures, documents and laws, so
a term's frequency follows the topic mix (common syllables like "thủ tục" are in
most rows, a ward name or a decree number in few), which is what makes search and
similar-question suggestions behave as they would on a real archive.
"""

# (code, slug, name, kind, parent code)
AGENCIES = [
    ("HP-UBND", "ubnd-hai-phong", "Ủy ban nhân dân thành phố Hải Phòng", "committee", None),
    ("HP-STNMT", "so-tai-nguyen-moi-truong", "Sở Tài nguyên và Môi trường", "department", "HP-UBND"),
    ("HP-STP", "so-tu-phap", "Sở Tư pháp", "department", "HP-UBND"),
    ("HP-SXD", "so-xay-dung", "Sở Xây dựng", "department", "HP-UBND"),
    ("HP-SGDDT", "so-giao-duc-dao-tao", "Sở Giáo dục và Đào tạo", "department", "HP-UBND"),
    ("HP-SYT", "so-y-te", "Sở Y tế", "department", "HP-UBND"),
    ("HP-SGTVT", "so-giao-thong-van-tai", "Sở Giao thông vận tải", "department", "HP-UBND"),
    ("HP-SLDTBXH", "so-lao-dong-thuong-binh-xa-hoi", "Sở Lao động - Thương binh và Xã hội", "department", "HP-UBND"),
    ("HP-SKHDT", "so-ke-hoach-dau-tu", "Sở Kế hoạch và Đầu tư", "department", "HP-UBND"),
    ("HP-CT", "cuc-thue", "Cục Thuế thành phố", "other", "HP-UBND"),
    ("HP-BHXH", "bao-hiem-xa-hoi", "Bảo hiểm xã hội thành phố", "other", "HP-UBND"),
    ("HP-SVHTT", "so-van-hoa-the-thao", "Sở Văn hóa, Thể thao và Du lịch", "department", "HP-UBND"),
    ("HP-LC", "ubnd-quan-le-chan", "Ủy ban nhân dân quận Lê Chân", "district", "HP-UBND"),
    ("HP-NQ", "ubnd-quan-ngo-quyen", "Ủy ban nhân dân quận Ngô Quyền", "district", "HP-UBND"),
    ("HP-HB", "ubnd-quan-hong-bang", "Ủy ban nhân dân quận Hồng Bàng", "district", "HP-UBND"),
    ("HP-TN", "ubnd-huyen-thuy-nguyen", "Ủy ban nhân dân huyện Thủy Nguyên", "district", "HP-UBND"),
    ("HP-AD", "ubnd-huyen-an-duong", "Ủy ban nhân dân huyện An Dương", "district", "HP-UBND"),
    ("HP-KA", "ubnd-quan-kien-an", "Ủy ban nhân dân quận Kiến An", "district", "HP-UBND"),
]

DISTRICTS = {
    "quận Lê Chân": ["An Biên", "Cát Dài", "Dư Hàng", "Hàng Kênh", "Kênh Dương", "Niệm Nghĩa", "Trại Cau", "Vĩnh Niệm"],
    "quận Ngô Quyền": ["Cầu Đất", "Đằng Giang", "Đông Khê", "Gia Viên", "Lạc Viên", "Lạch Tray", "Máy Tơ", "Vạn Mỹ"],
    "quận Hồng Bàng": ["Hạ Lý", "Hoàng Văn Thụ", "Minh Khai", "Quán Toan", "Sở Dầu", "Thượng Lý", "Trại Chuối"],
    "quận Kiến An": ["Bắc Sơn", "Đồng Hòa", "Lãm Hà", "Nam Sơn", "Ngọc Sơn", "Quán Trữ", "Tràng Minh", "Văn Đẩu"],
    "quận Hải An": ["Cát Bi", "Đằng Hải", "Đằng Lâm", "Đông Hải", "Nam Hải", "Tràng Cát"],
    "huyện Thủy Nguyên": ["Minh Đức", "Lại Xuân", "Kỳ Sơn", "Liên Khê", "Lưu Kiếm", "Hoa Động", "Tam Hưng"],
    "huyện An Dương": ["An Đồng", "An Hòa", "Hồng Phong", "Lê Thiện", "Nam Sơn", "Đặng Cương", "Quốc Tuấn"],
    "huyện Tiên Lãng": ["Bắc Hưng", "Cấp Tiến", "Đoàn Lập", "Hùng Thắng", "Kiến Thiết", "Quang Phục", "Vinh Quang"],
    "huyện Vĩnh Bảo": ["Cao Minh", "Dũng Tiến", "Hiệp Hòa", "Nhân Hòa", "Tam Cường", "Thắng Thủy", "Vĩnh An"],
}

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào"]
MIDDLE_NAMES = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hữu", "Kim", "Xuân", "Bảo"]
GIVEN_NAMES = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng",
    "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến",
]  # fmt: skip

ASKERS = ["tôi", "gia đình tôi", "bố mẹ tôi", "vợ chồng tôi", "công ty chúng tôi", "ông bà tôi", "anh trai tôi"]

# One entry per topic: (slug, name, procedures, documents, laws, offices, situations)
TOPICS = [
    (
        "dat-dai",
        "Đất đai",
        [
            "cấp giấy chứng nhận quyền sử dụng đất",
            "tách thửa đất ở",
            "chuyển mục đích sử dụng đất nông nghiệp sang đất ở",
            "đăng ký biến động đất đai",
            "thừa kế quyền sử dụng đất",
            "bồi thường khi Nhà nước thu hồi đất",
            "gia hạn thời hạn sử dụng đất",
            "cấp đổi sổ đỏ bị rách",
        ],
        ["sổ đỏ", "trích lục bản đồ địa chính", "hợp đồng chuyển nhượng", "tờ khai lệ phí trước bạ", "đơn đăng ký"],
        ["Luật Đất đai năm 2024", "Nghị định số 101/2024/NĐ-CP", "Nghị định số 102/2024/NĐ-CP"],
        ["Văn phòng đăng ký đất đai", "Chi nhánh Văn phòng đăng ký đất đai", "Phòng Tài nguyên và Môi trường"],
        [
            "thửa đất số {n} tờ bản đồ số {m} có diện tích {area} m²",
            "mảnh đất được ông bà để lại từ năm {year}",
            "phần đất đang có tranh chấp ranh giới với nhà bên cạnh",
            "đất vườn liền kề với đất ở trong cùng một thửa",
        ],
    ),
    (
        "thue",
        "Thuế",
        [
            "quyết toán thuế thu nhập cá nhân",
            "đăng ký mã số thuế cho người phụ thuộc",
            "hoàn thuế giá trị gia tăng",
            "nộp thuế cho hộ kinh doanh",
            "miễn giảm tiền sử dụng đất",
            "xuất hóa đơn điện tử",
        ],
        ["tờ khai quyết toán", "chứng từ khấu trừ thuế", "hóa đơn điện tử", "giấy nộp tiền vào ngân sách"],
        ["Luật Quản lý thuế năm 2019", "Nghị định số 126/2020/NĐ-CP", "Thông tư số 80/2021/TT-BTC"],
        ["Chi cục Thuế khu vực", "Cục Thuế thành phố", "bộ phận một cửa của cơ quan thuế"],
        [
            "thu nhập từ tiền lương ở hai nơi trong năm {year}",
            "hộ kinh doanh có doanh thu khoảng {money} triệu đồng mỗi năm",
            "khoản thuế nộp thừa từ năm {year}",
        ],
    ),
    (
        "giao-duc",
        "Giáo dục",
        [
            "tuyển sinh vào lớp 6",
            "chuyển trường cho học sinh tiểu học",
            "miễn giảm học phí",
            "xét tuyển vào lớp 10 công lập",
            "cấp lại bằng tốt nghiệp trung học phổ thông",
            "đăng ký học bán trú",
        ],
        ["học bạ", "giấy khai sinh", "giấy xác nhận cư trú", "đơn xin chuyển trường", "bản sao bằng tốt nghiệp"],
        ["Luật Giáo dục năm 2019", "Nghị định số 81/2021/NĐ-CP", "Thông tư số 30/2024/TT-BGDĐT"],
        ["Phòng Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo", "ban giám hiệu nhà trường"],
        [
            "con tôi đang học lớp {grade} tại trường ở {ward}",
            "gia đình chuyển nơi ở về {district} từ tháng {month}",
            "cháu thuộc diện hộ cận nghèo",
        ],
    ),
    (
        "y-te",
        "Y tế",
        [
            "khám chữa bệnh bằng bảo hiểm y tế trái tuyến",
            "cấp chứng chỉ hành nghề khám bệnh",
            "tiêm chủng mở rộng cho trẻ em",
            "cấp giấy phép hoạt động phòng khám tư nhân",
            "chuyển tuyến điều trị",
            "thanh toán chi phí thuốc ngoài danh mục",
        ],
        ["thẻ bảo hiểm y tế", "giấy chuyển tuyến", "sổ tiêm chủng", "bệnh án", "chứng chỉ hành nghề"],
        ["Luật Khám bệnh, chữa bệnh năm 2023", "Luật Bảo hiểm y tế", "Nghị định số 96/2023/NĐ-CP"],
        ["Sở Y tế", "trạm y tế phường", "bệnh viện tuyến thành phố", "Trung tâm Kiểm soát bệnh tật"],
        [
            "mẹ tôi năm nay {age} tuổi và đang điều trị bệnh mãn tính",
            "cháu bé sinh tháng {month} năm {year}",
            "tôi đi khám tại bệnh viện ở {district}",
        ],
    ),
    (
        "giao-thong",
        "Giao thông",
        [
            "đổi giấy phép lái xe",
            "đăng ký xe máy chính chủ",
            "nộp phạt vi phạm giao thông trực tuyến",
            "cấp phép thi công trên đường bộ",
            "đăng kiểm xe ô tô",
            "cấp lại giấy phép lái xe bị mất",
        ],
        ["giấy phép lái xe", "giấy chứng nhận đăng ký xe", "biên bản vi phạm", "giấy khám sức khỏe"],
        ["Luật Trật tự, an toàn giao thông đường bộ năm 2024", "Nghị định số 168/2024/NĐ-CP"],
        ["Sở Giao thông vận tải", "phòng cảnh sát giao thông", "trung tâm đăng kiểm"],
        [
            "giấy phép lái xe hạng {licence} của tôi hết hạn từ tháng {month}",
            "xe mua lại từ người quen ở {district}",
            "tôi bị lập biên bản tại nút giao gần {ward}",
        ],
    ),
    (
        "xay-dung",
        "Xây dựng",
        [
            "cấp giấy phép xây dựng nhà ở riêng lẻ",
            "sửa chữa cải tạo nhà ở",
            "xây dựng công trình phụ trên đất nông nghiệp",
            "hoàn công nhà ở",
            "cấp phép xây dựng có thời hạn",
        ],
        ["bản vẽ thiết kế", "giấy phép xây dựng", "biên bản nghiệm thu", "đơn đề nghị cấp phép"],
        ["Luật Xây dựng năm 2014", "Luật Xây dựng sửa đổi năm 2020", "Nghị định số 15/2021/NĐ-CP"],
        ["Phòng Quản lý đô thị", "Sở Xây dựng", "Ủy ban nhân dân cấp huyện"],
        [
            "ngôi nhà {floors} tầng nằm trong ngõ rộng {width} mét",
            "công trình nằm trong quy hoạch mở rộng đường từ năm {year}",
            "nhà tôi xây năm {year} nay đã xuống cấp",
        ],
    ),
    (
        "lao-dong",
        "Lao động - việc làm",
        [
            "hưởng trợ cấp thất nghiệp",
            "ký hợp đồng lao động thử việc",
            "cấp giấy phép lao động cho người nước ngoài",
            "giải quyết tranh chấp lao động",
            "chấm dứt hợp đồng lao động trước thời hạn",
        ],
        ["hợp đồng lao động", "quyết định thôi việc", "sổ bảo hiểm xã hội", "giấy phép lao động"],
        ["Bộ luật Lao động năm 2019", "Luật Việc làm", "Nghị định số 145/2020/NĐ-CP"],
        ["Trung tâm Dịch vụ việc làm", "Sở Lao động - Thương binh và Xã hội", "thanh tra lao động"],
        [
            "tôi làm việc tại một công ty ở khu công nghiệp {district} được {years} năm",
            "công ty nợ lương tôi {months} tháng",
            "hợp đồng của tôi hết hạn vào tháng {month} năm {year}",
        ],
    ),
    (
        "bao-hiem-xa-hoi",
        "Bảo hiểm xã hội",
        [
            "rút bảo hiểm xã hội một lần",
            "hưởng chế độ thai sản",
            "tính lương hưu",
            "đóng bảo hiểm xã hội tự nguyện",
            "cấp lại sổ bảo hiểm xã hội",
            "hưởng chế độ ốm đau",
        ],
        ["sổ bảo hiểm xã hội", "giấy ra viện", "giấy chứng sinh", "tờ khai tham gia bảo hiểm"],
        ["Luật Bảo hiểm xã hội năm 2024", "Nghị định số 115/2015/NĐ-CP"],
        ["Bảo hiểm xã hội quận", "Bảo hiểm xã hội thành phố", "bộ phận tiếp nhận hồ sơ"],
        [
            "tôi đã đóng bảo hiểm xã hội được {years} năm {months} tháng",
            "vợ tôi sinh con vào tháng {month} năm {year}",
            "tôi nghỉ việc từ năm {year} và chưa nhận chế độ",
        ],
    ),
    (
        "ho-tich",
        "Hộ tịch - cư trú",
        [
            "đăng ký khai sinh cho con",
            "đăng ký thường trú",
            "xác nhận tình trạng hôn nhân",
            "trích lục khai tử",
            "đăng ký kết hôn với người nước ngoài",
            "thay đổi họ tên trong giấy khai sinh",
        ],
        ["giấy khai sinh", "căn cước công dân", "giấy chứng nhận kết hôn", "tờ khai hộ tịch"],
        ["Luật Hộ tịch năm 2014", "Luật Cư trú năm 2020", "Nghị định số 123/2015/NĐ-CP"],
        ["Ủy ban nhân dân phường", "Phòng Tư pháp", "công an phường"],
        [
            "con tôi sinh ngày {day} tháng {month} năm {year} tại bệnh viện ở {district}",
            "tôi chuyển đến sống tại {ward} từ năm {year}",
            "bố tôi mất năm {year} ở quê",
        ],
    ),
    (
        "dau-tu-kinh-doanh",
        "Đầu tư - kinh doanh",
        [
            "đăng ký thành lập doanh nghiệp",
            "đăng ký hộ kinh doanh",
            "thay đổi người đại diện theo pháp luật",
            "tạm ngừng kinh doanh",
            "xin chủ trương đầu tư dự án",
            "giải thể doanh nghiệp",
        ],
        ["giấy chứng nhận đăng ký doanh nghiệp", "điều lệ công ty", "giấy đề nghị đăng ký", "quyết định giải thể"],
        ["Luật Doanh nghiệp năm 2020", "Luật Đầu tư năm 2020", "Nghị định số 01/2021/NĐ-CP"],
        ["Phòng Đăng ký kinh doanh", "Sở Kế hoạch và Đầu tư", "Ban Quản lý khu kinh tế"],
        [
            "công ty có vốn điều lệ {money} triệu đồng",
            "cửa hàng của tôi ở {ward}, {district}",
            "doanh nghiệp thành lập năm {year} với {staff} lao động",
        ],
    ),
    (
        "moi-truong",
        "Môi trường",
        [
            "xử lý tiếng ồn từ xưởng sản xuất",
            "thu gom rác thải sinh hoạt",
            "lập báo cáo đánh giá tác động môi trường",
            "cấp giấy phép môi trường",
            "phản ánh ô nhiễm nguồn nước",
        ],
        ["giấy phép môi trường", "báo cáo đánh giá tác động", "đơn phản ánh", "kết quả quan trắc"],
        ["Luật Bảo vệ môi trường năm 2020", "Nghị định số 08/2022/NĐ-CP"],
        ["Chi cục Bảo vệ môi trường", "Phòng Tài nguyên và Môi trường", "Ủy ban nhân dân phường"],
        [
            "một xưởng gần nhà tôi ở {ward} hoạt động cả ban đêm",
            "con mương chảy qua {ward} bốc mùi từ tháng {month}",
            "khu dân cư có khoảng {staff} hộ bị ảnh hưởng",
        ],
    ),
    (
        "chinh-sach-xa-hoi",
        "Chính sách xã hội",
        [
            "hưởng trợ cấp người có công",
            "xét hộ nghèo",
            "hưởng trợ cấp cho người cao tuổi",
            "hỗ trợ người khuyết tật",
            "cấp thẻ bảo hiểm y tế cho hộ cận nghèo",
        ],
        ["đơn đề nghị hưởng trợ cấp", "giấy xác nhận khuyết tật", "sổ hộ nghèo", "quyết định trợ cấp"],
        ["Pháp lệnh Ưu đãi người có công với cách mạng", "Nghị định số 20/2021/NĐ-CP"],
        ["Phòng Lao động - Thương binh và Xã hội", "Ủy ban nhân dân phường", "cán bộ chính sách xã hội"],
        [
            "bà nội tôi năm nay {age} tuổi sống một mình",
            "gia đình tôi có {staff} người và thu nhập thấp",
            "ông tôi tham gia kháng chiến từ năm {year}",
        ],
    ),
]

TITLE_PATTERNS = [
    "Thủ tục {proc} như thế nào?",
    "Hỏi về thủ tục {proc}",
    "Hồ sơ {proc} gồm những gì?",
    "{Proc} mất bao lâu?",
    "Xin hỏi về việc {proc} tại {district}",
    "Có được {proc} khi chưa có {doc} không?",
    "Lệ phí {proc} là bao nhiêu?",
    "Nộp hồ sơ {proc} ở đâu?",
    "Vướng mắc khi {proc}",
    "Đề nghị hướng dẫn {proc}",
]

CONTEXT_PATTERNS = [
    "{Asker} có {situation}.",
    "Hiện nay {asker} đang ở {ward}, {district}.",
    "Năm {year}, {asker} đã nộp hồ sơ {proc} nhưng chưa được giải quyết.",
    "{Asker} được hướng dẫn phải có {doc} nhưng {doc2} đã bị thất lạc.",
    "Cán bộ ở {office} cho biết hồ sơ còn thiếu {doc}.",
    "Trường hợp của {asker}: {situation}.",
]

ASK_PATTERNS = [
    "Xin hỏi thủ tục {proc} cần những giấy tờ gì và nộp ở đâu?",
    "Vậy {asker} có được {proc} không?",
    "Thời gian giải quyết {proc} là bao lâu?",
    "Nếu không có {doc} thì phải làm thế nào?",
    "Xin cơ quan hướng dẫn cụ thể để {asker} thực hiện cho đúng quy định.",
    "Lệ phí {proc} được tính như thế nào?",
    "Việc {proc} có thực hiện trực tuyến trên Cổng dịch vụ công được không?",
]

ANSWER_OPENINGS = [
    "Về câu hỏi của ông/bà, {agency} trả lời như sau:",
    "Sau khi nghiên cứu nội dung câu hỏi, {agency} có ý kiến như sau:",
    "Cảm ơn ông/bà đã quan tâm. Về vấn đề ông/bà hỏi, {agency} trả lời như sau:",
]

ANSWER_PATTERNS = [
    "Theo quy định tại Điều {n} {law}, người đề nghị {proc} nộp hồ sơ tại {office}.",
    "Hồ sơ gồm {doc}, {doc2} và bản sao căn cước công dân.",
    "Thời hạn giải quyết không quá {days} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Trường hợp hồ sơ chưa đầy đủ, {office} có trách nhiệm hướng dẫn bổ sung một lần bằng văn bản.",
    "Ông/bà có thể nộp hồ sơ trực tuyến qua Cổng dịch vụ công quốc gia hoặc trực tiếp tại bộ phận một cửa.",
    "Căn cứ khoản {k} Điều {n} {law}, trường hợp của ông/bà thuộc diện được xem xét giải quyết.",
    "Mức lệ phí thực hiện theo nghị quyết của Hội đồng nhân dân thành phố.",
    "Nếu không đồng ý với kết quả giải quyết, ông/bà có quyền khiếu nại theo quy định của Luật Khiếu nại.",
    "Đề nghị ông/bà liên hệ {office} để được hướng dẫn cụ thể.",
]

ANSWER_CLOSINGS = [
    "Trân trọng.",
    "{agency} trả lời để ông/bà được biết.",
    "Chúc ông/bà sớm hoàn thành thủ tục.",
]
