"""Texts of the Q&A demo: topics, questions and answers of a fictional Hải Phòng portal.

Everything here is written for the demo: the people, companies, house numbers
and phone numbers are invented, and answers cite procedures in general terms
("theo quy định hiện hành về ...") rather than article numbers that could
mislead a reader who takes the demo for real advice.

Text blocks are wrapped freely: the loader joins lines and keeps a blank line
as a paragraph break.
"""

from dataclasses import dataclass

# (slug, name, description); the position follows this order.
TOPICS: list[tuple[str, str, str]] = [
    (
        "dat-dai",
        "Đất đai",
        "Cấp giấy chứng nhận, chuyển nhượng, tách thửa, chuyển mục đích sử dụng đất, bồi thường khi thu hồi đất.",
    ),
    ("xay-dung", "Xây dựng", "Giấy phép xây dựng, quy hoạch, nhà ở xã hội, chung cư cũ, năng lực hành nghề."),
    ("thue-phi", "Thuế - phí", "Lệ phí trước bạ, phí và lệ phí do thành phố quy định, nghĩa vụ tài chính về đất đai."),
    ("giao-duc", "Giáo dục", "Tuyển sinh, chuyển trường, học phí và các khoản thu, văn bằng, chứng chỉ."),
    ("y-te", "Y tế", "Khám chữa bệnh, bảo hiểm y tế, tiêm chủng, an toàn thực phẩm, hành nghề y dược."),
    ("giao-thong", "Giao thông", "Tổ chức giao thông, xe buýt, trật tự vỉa hè, cấp phép thi công trên đường bộ."),
    (
        "lao-dong-viec-lam",
        "Lao động - việc làm",
        "Hợp đồng lao động, tiền lương, trợ cấp thất nghiệp, học nghề, giấy phép lao động.",
    ),
    ("bao-hiem-xa-hoi", "Bảo hiểm xã hội", "Tham gia và hưởng bảo hiểm xã hội, trợ cấp xã hội hằng tháng."),
    (
        "ho-tich-tu-phap",
        "Hộ tịch - tư pháp",
        "Khai sinh, kết hôn, xác nhận tình trạng hôn nhân, chứng thực, lý lịch tư pháp, trợ giúp pháp lý.",
    ),
    (
        "dau-tu-doanh-nghiep",
        "Đầu tư - doanh nghiệp",
        "Đăng ký doanh nghiệp và hộ kinh doanh, dự án đầu tư, hỗ trợ doanh nghiệp nhỏ và vừa.",
    ),
    ("moi-truong", "Môi trường", "Ô nhiễm, thu gom rác thải, giấy phép môi trường, nước thải."),
    (
        "thong-tin-truyen-thong",
        "Thông tin - truyền thông",
        "Viễn thông, cuộc gọi và tin nhắn lừa đảo, trang thông tin điện tử, dịch vụ công trực tuyến.",
    ),
]


@dataclass(frozen=True)
class DemoQuestion:
    # Fixed per demo question: the reference ends in 900000 + number, which is how a rerun finds it.
    number: int
    agency: str
    topic: str
    asker: str
    title: str
    body: str
    answer: str = ""
    # Parts of the body the moderator hid in the public version (replaced by "[đã ẩn]").
    redact: tuple[str, ...] = ()
    # (organisation name, tax code) when a business asks.
    organisation: tuple[str, str] | None = None
    state: str = "published"
    # Reason of a rejection, text of an information request, or the asker's withdrawal note.
    note: str = ""
    # Asked by the demo citizen's account rather than a guest.
    mine: bool = False
    consent: bool = True
    # "web", or "phone" / "paper" for a question an official typed in (no e-mail address then).
    channel: str = "web"


Q = DemoQuestion

PUBLISHED: list[DemoQuestion] = [
    # --- Sở Tài nguyên và Môi trường -------------------------------------------------------------
    Q(
        1,
        "HP-STNMT",
        "dat-dai",
        "Phạm Văn Thành",
        "Cấp giấy chứng nhận lần đầu cho đất ông bà để lại nhưng không có giấy tờ",
        """Gia đình tôi sử dụng ổn định một thửa đất khoảng 120 m² ở huyện Thủy Nguyên từ thời ông bà để lại, không
        có tranh chấp với ai. Tuy nhiên đến nay thửa đất vẫn chưa được cấp giấy chứng nhận và gia đình cũng không còn
        giấy tờ gì về nguồn gốc đất. Xin hỏi trường hợp của tôi có được cấp giấy chứng nhận không, và cần chuẩn bị
        những giấy tờ gì?""",
        """Sở Tài nguyên và Môi trường cảm ơn ông đã gửi câu hỏi. Theo quy định hiện hành về đất đai, hộ gia đình,
        cá nhân đang sử dụng đất ổn định, không có giấy tờ về quyền sử dụng đất nhưng không vi phạm pháp luật về đất
        đai, không có tranh chấp và phù hợp với quy hoạch thì được xem xét cấp giấy chứng nhận. Thời điểm bắt đầu sử
        dụng đất và tình trạng không tranh chấp do Ủy ban nhân dân cấp xã nơi có đất xác nhận.

        Hồ sơ gồm đơn đăng ký đất đai, tài sản gắn liền với đất theo mẫu, giấy tờ về việc thực hiện nghĩa vụ tài
        chính (nếu có) và giấy tờ nhân thân. Ông nộp hồ sơ tại Bộ phận tiếp nhận và trả kết quả của huyện Thủy Nguyên
        hoặc trên Cổng dịch vụ công của thành phố. Trong quá trình giải quyết, cơ quan chức năng sẽ kiểm tra hiện
        trạng và niêm yết công khai tại trụ sở Ủy ban nhân dân cấp xã.

        Tùy thời điểm bắt đầu sử dụng đất, gia đình có thể phải nộp tiền sử dụng đất theo quy định. Để được hướng
        dẫn cụ thể, ông có thể liên hệ Chi nhánh Văn phòng Đăng ký đất đai huyện Thủy Nguyên.""",
    ),
    Q(
        2,
        "HP-STNMT",
        "dat-dai",
        "Đỗ Thị Hạnh",
        "Diện tích tối thiểu để tách thửa đất ở tại quận Lê Chân",
        """Bố mẹ tôi có mảnh đất ở rộng khoảng 90 m² tại quận Lê Chân, mặt tiền 6 m, nay muốn tách làm hai để cho
        hai anh em tôi. Xin hỏi thửa đất này có đủ điều kiện tách thửa không, mỗi thửa sau khi tách phải có diện tích
        và chiều rộng tối thiểu là bao nhiêu? Thủ tục tách thửa làm ở đâu?""",
        """Về nội dung bà hỏi, Sở Tài nguyên và Môi trường trả lời như sau: điều kiện tách thửa, diện tích và kích
        thước cạnh tối thiểu của thửa đất sau khi tách áp dụng theo quyết định của Ủy ban nhân dân thành phố về tách
        thửa, hợp thửa đất trên địa bàn. Mức tối thiểu đối với đất ở tại các quận khác với các huyện, và mỗi thửa hình
        thành sau khi tách phải bảo đảm đồng thời điều kiện về diện tích, chiều rộng mặt tiền và chiều sâu.

        Với thửa đất khoảng 90 m², mặt tiền 6 m, khi chia đôi mỗi thửa còn khoảng 45 m² và mặt tiền 3 m; cần đối
        chiếu với mức tối thiểu hiện hành để xác định có đủ điều kiện hay không. Ngoài ra, việc tách thửa phải phù hợp
        với quy hoạch chi tiết và bảo đảm lối đi cho các thửa đất.

        Hồ sơ đề nghị tách thửa nộp tại Bộ phận một cửa quận Lê Chân hoặc trực tuyến. Bà nên mang theo giấy chứng
        nhận đã cấp để cán bộ Văn phòng Đăng ký đất đai kiểm tra sơ bộ trước khi đo đạc, tránh phát sinh chi phí không
        cần thiết.""",
    ),
    Q(
        3,
        "HP-STNMT",
        "dat-dai",
        "Lương Minh Tuấn",
        "Sau khi công chứng hợp đồng mua bán đất thì làm thủ tục sang tên thế nào?",
        """Tôi vừa ký hợp đồng chuyển nhượng quyền sử dụng đất có công chứng với chủ cũ. Xin hỏi tiếp theo tôi phải
        làm những thủ tục gì để được đứng tên trên giấy chứng nhận, trong thời hạn bao lâu, và nếu để quá hạn thì có bị
        phạt không?""",
        """Sau khi hợp đồng chuyển nhượng được công chứng hoặc chứng thực, các bên phải đăng ký biến động đất đai
        tại Văn phòng Đăng ký đất đai trong thời hạn luật định kể từ ngày ký hợp đồng. Việc chậm đăng ký biến động có
        thể bị xử phạt vi phạm hành chính theo quy định hiện hành.

        Hồ sơ gồm đơn đăng ký biến động theo mẫu, hợp đồng chuyển nhượng đã công chứng, bản gốc giấy chứng nhận đã
        cấp, tờ khai lệ phí trước bạ và tờ khai thuế thu nhập cá nhân. Sau khi cơ quan thuế xác định nghĩa vụ tài chính
        và các bên nộp đủ, Văn phòng Đăng ký đất đai xác nhận nội dung biến động vào giấy chứng nhận hoặc cấp giấy
        chứng nhận mới.

        Ông có thể nộp hồ sơ trực tiếp tại Bộ phận tiếp nhận và trả kết quả cấp huyện nơi có đất hoặc nộp trực
        tuyến; tình trạng hồ sơ tra cứu được bằng mã hồ sơ ghi trên giấy tiếp nhận.""",
    ),
    Q(
        4,
        "HP-STNMT",
        "dat-dai",
        "Vũ Thị Mai",
        "Giấy chứng nhận ghi sai tên đệm của chủ sử dụng đất",
        """Tôi là Vũ Thị Mai, trú tại số 27 ngõ 81 đường Lạch Tray, quận Ngô Quyền. Giấy chứng nhận quyền sử dụng
        đất của gia đình tôi được cấp năm 2009 ghi sai tên đệm của tôi so với căn cước. Xin hỏi tôi cần làm thủ tục gì
        để đính chính, có mất phí không?""",
        """Trường hợp giấy chứng nhận đã cấp có sai sót thông tin về người sử dụng đất so với giấy tờ nhân thân tại
        thời điểm cấp, người sử dụng đất được đề nghị đính chính. Thủ tục đính chính do sai sót của cơ quan cấp giấy
        không phải nộp lệ phí cấp giấy chứng nhận.

        Bà chuẩn bị đơn đề nghị đính chính theo mẫu, bản gốc giấy chứng nhận và bản sao căn cước, nộp tại Bộ phận
        một cửa quận Ngô Quyền. Văn phòng Đăng ký đất đai sẽ đối chiếu hồ sơ lưu, lập biên bản kết luận về nội dung sai
        sót và đính chính vào giấy chứng nhận đã cấp, hoặc cấp giấy mới nếu bà có yêu cầu.""",
        redact=("Vũ Thị Mai", "số 27 ngõ 81 đường Lạch Tray"),
    ),
    Q(
        5,
        "HP-STNMT",
        "dat-dai",
        "Trần Đức Long",
        "Chuyển đất vườn trong cùng thửa sang đất ở có được không?",
        """Thửa đất của gia đình tôi ở huyện An Lão có 200 m², trong đó 100 m² là đất ở và 100 m² là đất trồng cây
        lâu năm trong cùng thửa. Nay tôi muốn chuyển phần đất vườn sang đất ở để xây nhà cho con. Xin hỏi điều kiện và
        số tiền phải nộp được tính thế nào?""",
        """Việc chuyển mục đích sử dụng đất nông nghiệp trong cùng thửa với đất ở sang đất ở phải được Ủy ban nhân
        dân cấp huyện cho phép, căn cứ kế hoạch sử dụng đất hằng năm của cấp huyện đã được phê duyệt và nhu cầu sử dụng
        đất ghi trong đơn.

        Khi được chấp thuận, hộ gia đình nộp tiền sử dụng đất bằng chênh lệch giữa tiền sử dụng đất tính theo giá
        đất ở và tiền sử dụng đất tính theo giá đất nông nghiệp tại thời điểm có quyết định cho phép chuyển mục đích.
        Giá đất áp dụng theo bảng giá đất và các quy định do Ủy ban nhân dân thành phố ban hành.

        Ông nên liên hệ Phòng Tài nguyên và Môi trường huyện An Lão để kiểm tra thửa đất có nằm trong kế hoạch sử
        dụng đất năm nay hay không trước khi nộp hồ sơ.""",
    ),
    Q(
        6,
        "HP-STNMT",
        "moi-truong",
        "Nguyễn Thị Hoa",
        "Xưởng cơ khí gây tiếng ồn và mùi sơn trong khu dân cư",
        """Cạnh nhà tôi ở số 14 ngõ 203 Trần Nguyên Hãn có một xưởng cơ khí hoạt động từ sáng sớm đến 22 giờ, tiếng
        máy cắt rất lớn, buổi chiều lại phun sơn khiến cả ngõ ngửi thấy mùi. Gia đình tôi có người già và trẻ nhỏ, đã
        nhiều lần góp ý nhưng chủ xưởng không khắc phục. Đề nghị cơ quan chức năng kiểm tra. Số điện thoại của tôi:
        0912 000 418.""",
        """Sở Tài nguyên và Môi trường đã tiếp nhận phản ánh của bà và phối hợp với Ủy ban nhân dân quận Lê Chân,
        Công an quận kiểm tra cơ sở. Qua kiểm tra, cơ sở chưa có hồ sơ về môi trường theo quy định, hoạt động phun sơn
        không có buồng sơn và hệ thống xử lý khí thải.

        Đoàn kiểm tra đã lập biên bản, yêu cầu cơ sở dừng ngay việc phun sơn, chỉ hoạt động trong giờ hành chính và
        hoàn thiện hồ sơ môi trường trong thời hạn được giao. Ủy ban nhân dân phường theo dõi việc chấp hành; nếu cơ sở
        tiếp tục vi phạm sẽ bị xử lý theo quy định về xử phạt vi phạm hành chính trong lĩnh vực bảo vệ môi trường.

        Nếu tình trạng tiếp diễn, bà có thể phản ánh trực tiếp tới Ủy ban nhân dân phường hoặc qua đường dây nóng
        về môi trường của thành phố để được xử lý kịp thời.""",
        redact=("số 14 ngõ 203 Trần Nguyên Hãn", "0912 000 418"),
    ),
    Q(
        7,
        "HP-STNMT",
        "moi-truong",
        "Hoàng Văn Dũng",
        "Xưởng sản xuất bao bì nhỏ có phải có giấy phép môi trường không?",
        """Công ty chúng tôi dự kiến đầu tư một xưởng sản xuất bao bì carton quy mô nhỏ tại một cụm công nghiệp ở
        huyện An Dương. Xin hỏi dự án có phải lập báo cáo đánh giá tác động môi trường, xin giấy phép môi trường hay
        chỉ cần đăng ký môi trường? Cơ quan nào có thẩm quyền giải quyết?""",
        """Việc dự án phải đánh giá tác động môi trường, có giấy phép môi trường hay đăng ký môi trường được xác
        định theo loại hình sản xuất, quy mô, công suất và vị trí dự án, căn cứ các tiêu chí phân loại dự án đầu tư
        trong quy định hiện hành về bảo vệ môi trường. Sản xuất bao bì giấy quy mô nhỏ, nằm trong cụm công nghiệp đã
        có hạ tầng xử lý chất thải thường thuộc nhóm dự án có tác động thấp.

        Để xác định chính xác, Công ty cần đối chiếu công suất, nguyên liệu (nhất là mực in, keo dán) và lượng nước
        thải, khí thải phát sinh với danh mục phân loại. Nếu thuộc đối tượng đăng ký môi trường, Công ty đăng ký tại Ủy
        ban nhân dân cấp xã; nếu phải có giấy phép môi trường, thẩm quyền cấp thuộc Ủy ban nhân dân cấp huyện hoặc Ủy
        ban nhân dân thành phố tùy nhóm dự án.

        Công ty có thể liên hệ Phòng Quản lý môi trường của Sở để được hướng dẫn trước khi nộp hồ sơ.""",
        organisation=("Công ty TNHH Bao bì Hưng Phát", "0209900027"),
    ),
    Q(
        8,
        "HP-STNMT",
        "moi-truong",
        "Bùi Thanh Hương",
        "Hộ gia đình bỏ pin cũ và bóng đèn hỏng ở đâu?",
        """Nhà tôi có nhiều pin cũ, bóng đèn huỳnh quang hỏng và vài chai thuốc diệt côn trùng đã hết hạn. Tôi được
        biết đây là chất thải nguy hại, không nên bỏ chung với rác sinh hoạt. Xin hỏi ở Hải Phòng có điểm thu gom nào
        cho hộ gia đình không?""",
        """Cảm ơn bà đã quan tâm đến việc phân loại chất thải tại nguồn. Pin, ắc quy, bóng đèn huỳnh quang và bao
        bì thuốc diệt côn trùng là chất thải nguy hại phát sinh từ hộ gia đình, cần được phân loại riêng, đựng trong
        bao bì kín và không để lẫn với rác sinh hoạt thông thường.

        Thành phố đang phối hợp với doanh nghiệp và các tổ chức đoàn thể tổ chức thu gom chất thải nguy hại định kỳ
        tại trụ sở Ủy ban nhân dân phường, trường học và siêu thị; lịch thu gom được thông báo trên loa truyền thanh và
        trang thông tin điện tử của quận, huyện. Một số siêu thị và cửa hàng điện máy cũng đặt thùng thu hồi pin cũ.

        Bà có thể liên hệ Ủy ban nhân dân phường nơi cư trú để biết lịch thu gom gần nhất. Không đốt hoặc đập vỡ
        bóng đèn huỳnh quang vì bên trong có thủy ngân.""",
    ),
    Q(
        9,
        "HP-STNMT",
        "dat-dai",
        "Đinh Công Sơn",
        "Mất giấy chứng nhận quyền sử dụng đất thì xin cấp lại thế nào?",
        """Trong đợt ngập lụt vừa qua, gia đình tôi bị mất một số giấy tờ, trong đó có giấy chứng nhận quyền sử dụng
        đất. Xin hỏi thủ tục cấp lại gồm những bước nào, mất bao lâu? Trong thời gian chờ cấp lại tôi có thể thế chấp
        để vay vốn ngân hàng được không?""",
        """Trường hợp bị mất giấy chứng nhận, ông nộp đơn đề nghị cấp lại kèm giấy xác nhận của Ủy ban nhân dân cấp
        xã về việc đã niêm yết thông báo mất giấy, hoặc giấy tờ chứng minh thiên tai, hỏa hoạn. Hết thời gian niêm yết
        theo quy định mà không có ai khiếu nại, Văn phòng Đăng ký đất đai kiểm tra hồ sơ, trích lục bản đồ và trình cấp
        lại giấy chứng nhận, đồng thời hủy giấy chứng nhận đã mất.

        Trong thời gian chưa được cấp lại, ông chưa thể thực hiện các giao dịch cần xuất trình giấy chứng nhận như
        chuyển nhượng hay thế chấp. Vì vậy ông nên nộp hồ sơ sớm; thời gian giải quyết được ghi trên giấy tiếp nhận và
        không tính thời gian niêm yết.""",
        channel="phone",
    ),
    Q(
        10,
        "HP-STNMT",
        "dat-dai",
        "Ngô Văn Khải",
        "Hàng xóm xây tường lấn sang đất nhà tôi thì giải quyết ở đâu?",
        """Nhà hàng xóm vừa xây lại tường rào và theo tôi đo thì lấn sang phần đất nhà tôi khoảng 30 cm so với sơ đồ
        trên giấy chứng nhận. Hai bên đã nói chuyện nhưng không thống nhất được. Xin hỏi tôi phải gửi đơn đến cơ quan
        nào trước?""",
        """Đối với tranh chấp ranh giới giữa các thửa đất liền kề, các bên được khuyến khích tự hòa giải; nếu không
        tự hòa giải được thì gửi đơn đến Ủy ban nhân dân cấp xã nơi có đất để được hòa giải. Theo quy định hiện hành về
        đất đai, hòa giải tại cấp xã là bước cần thực hiện trước khi đề nghị cơ quan có thẩm quyền giải quyết hoặc khởi
        kiện tại Tòa án.

        Để việc hòa giải có căn cứ, ông nên đề nghị Văn phòng Đăng ký đất đai hoặc đơn vị đo đạc có đủ năng lực xác
        định lại mốc giới theo hồ sơ địa chính. Kết quả hòa giải được lập thành biên bản; nếu hòa giải không thành, Ủy
        ban nhân dân cấp xã hướng dẫn ông gửi đơn đến cơ quan có thẩm quyền tiếp theo.""",
        channel="phone",
    ),
    # --- Sở Xây dựng -----------------------------------------------------------------------------
    Q(
        11,
        "HP-SXD",
        "xay-dung",
        "Lê Quang Huy",
        "Xây nhà 4 tầng trong phố có cần xin giấy phép xây dựng không?",
        """Tôi có mảnh đất 60 m² ở phường Đằng Giang, quận Ngô Quyền và dự định xây nhà 4 tầng để ở. Xin hỏi tôi có
        phải xin giấy phép xây dựng không? Hồ sơ gồm những gì và nộp ở đâu? Tôi có được tự vẽ thiết kế không?""",
        """Nhà ở riêng lẻ tại đô thị thuộc đối tượng phải có giấy phép xây dựng, trừ một số trường hợp được miễn
        theo quy định, chẳng hạn nhà ở thuộc dự án đã có quy hoạch chi tiết được duyệt. Thẩm quyền cấp giấy phép đối
        với nhà ở riêng lẻ trên địa bàn quận thuộc Ủy ban nhân dân quận.

        Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng theo mẫu, bản sao giấy tờ về quyền sử dụng đất và hai bộ bản
        vẽ thiết kế (mặt bằng công trình trên lô đất, mặt bằng các tầng, mặt đứng, mặt cắt, mặt bằng móng, sơ đồ đấu nối
        hạ tầng kỹ thuật). Hộ gia đình chỉ được tự thiết kế nhà ở riêng lẻ có quy mô nhỏ dưới ngưỡng quy định về số tầng
        và diện tích sàn; nhà 4 tầng như ông dự kiến cần do tổ chức, cá nhân có đủ điều kiện năng lực thiết kế.

        Ông nộp hồ sơ tại Bộ phận một cửa quận Ngô Quyền hoặc trên Cổng dịch vụ công. Lưu ý chỉ được khởi công khi
        đã có giấy phép và phải thông báo ngày khởi công cho Ủy ban nhân dân phường.""",
    ),
    Q(
        12,
        "HP-SXD",
        "xay-dung",
        "Nguyễn Văn Bình",
        "Sửa chữa, thay mái nhà cấp 4 có phải xin phép không?",
        """Nhà tôi là nhà cấp 4 đã xuống cấp, mái tôn bị dột. Tôi muốn thay mái, lát lại nền và sơn lại tường, không
        thay đổi diện tích hay chiều cao. Xin hỏi tôi có cần xin giấy phép sửa chữa không?""",
        """Theo quy định hiện hành về xây dựng, việc sửa chữa, cải tạo không làm thay đổi công năng sử dụng, không
        ảnh hưởng đến kết cấu chịu lực và an toàn công trình, không làm thay đổi kiến trúc mặt ngoài tiếp giáp đường
        trong đô thị có yêu cầu quản lý kiến trúc thì được miễn giấy phép xây dựng.

        Việc thay mái tôn, lát nền, sơn tường như ông mô tả thuộc trường hợp được miễn giấy phép. Tuy vậy, ông nên
        báo Ủy ban nhân dân phường, xã trước khi thi công, bảo đảm an toàn lao động, che chắn vật liệu và không để vật
        liệu xây dựng lấn chiếm lòng đường, vỉa hè.""",
    ),
    Q(
        13,
        "HP-SXD",
        "xay-dung",
        "Phạm Thu Trang",
        "Điều kiện mua nhà ở xã hội đối với công nhân khu công nghiệp",
        """Vợ chồng tôi đều là công nhân ở khu công nghiệp Tràng Duệ, đang thuê trọ và chưa có nhà ở. Xin hỏi chúng
        tôi có thuộc đối tượng được mua nhà ở xã hội không, điều kiện về thu nhập thế nào và có thể xem danh sách dự
        án đang mở bán ở đâu?""",
        """Công nhân, người lao động đang làm việc tại doanh nghiệp trong và ngoài khu công nghiệp thuộc đối tượng
        được hưởng chính sách hỗ trợ về nhà ở xã hội. Để được mua, vợ chồng chị cần đáp ứng đồng thời điều kiện về nhà
        ở (chưa có nhà ở thuộc sở hữu tại thành phố, hoặc có nhưng diện tích bình quân đầu người thấp hơn mức quy định)
        và điều kiện về thu nhập theo ngưỡng quy định hiện hành; thu nhập do doanh nghiệp nơi làm việc xác nhận.

        Danh sách các dự án nhà ở xã hội đủ điều kiện bán, cho thuê, cho thuê mua được Sở Xây dựng công khai và cập
        nhật thường xuyên trên trang thông tin điện tử của Sở. Chủ đầu tư từng dự án tiếp nhận hồ sơ, xét duyệt theo
        thứ tự và gửi danh sách về Sở kiểm tra, tránh trường hợp một người được mua nhiều lần.""",
    ),
    Q(
        14,
        "HP-SXD",
        "xay-dung",
        "Trịnh Văn Hải",
        "Nhà tập thể cũ xuống cấp nghiêm trọng, khi nào được cải tạo?",
        """Gia đình tôi sống tại căn hộ 305 nhà B2 của một khu tập thể cũ thuộc phường Máy Tơ, quận Ngô Quyền. Khu
        nhà xây từ những năm 1970, nhiều mảng tường bong tróc, ban công nứt, mùa mưa thấm dột nặng. Xin hỏi khu nhà của
        chúng tôi đã có trong kế hoạch cải tạo, xây dựng lại chung cư cũ của thành phố chưa? Trong thời gian chờ đợi,
        người dân cần làm gì để bảo đảm an toàn?""",
        """Thành phố đang triển khai kế hoạch cải tạo, xây dựng lại các chung cư cũ theo từng giai đoạn, ưu tiên
        những nhà được kiểm định, đánh giá thuộc cấp nguy hiểm. Danh mục nhà chung cư đã kiểm định và kế hoạch thực hiện
        được Sở Xây dựng công bố trên trang thông tin điện tử của Sở.

        Đối với khu nhà ông phản ánh, Sở Xây dựng sẽ phối hợp với Ủy ban nhân dân quận Ngô Quyền kiểm tra hiện
        trạng và đưa vào danh sách kiểm định nếu chưa có. Trong thời gian chờ, các hộ không tự ý cơi nới, đục phá kết
        cấu; cần gia cố tạm ban công, lan can bị nứt và báo ngay cho Ủy ban nhân dân phường khi thấy dấu hiệu mất an
        toàn để được hỗ trợ di dời tạm thời nếu cần.""",
        redact=("căn hộ 305 nhà B2",),
    ),
    Q(
        15,
        "HP-SXD",
        "xay-dung",
        "Hoàng Minh Đức",
        "Kỹ sư mới ra trường có được cấp chứng chỉ hành nghề giám sát không?",
        """Tôi tốt nghiệp kỹ sư xây dựng dân dụng được hơn một năm, đang làm ở một công ty tư vấn. Xin hỏi tôi cần
        bao nhiêu năm kinh nghiệm để được cấp chứng chỉ hành nghề giám sát thi công hạng III, và sát hạch ở đâu?""",
        """Điều kiện cấp chứng chỉ hành nghề hoạt động xây dựng, trong đó có giám sát thi công, gồm trình độ chuyên
        môn phù hợp, thời gian kinh nghiệm tham gia công việc tương ứng với từng hạng và kết quả sát hạch đạt yêu cầu.
        Với hơn một năm làm việc, anh cần đối chiếu yêu cầu kinh nghiệm tối thiểu của hạng III theo quy định hiện hành;
        nếu chưa đủ, anh tích lũy thêm kinh nghiệm trước khi đăng ký.

        Sở Xây dựng tổ chức sát hạch và cấp chứng chỉ hạng II, hạng III cho cá nhân. Hồ sơ nộp trực tuyến kèm bản
        sao văn bằng và bản khai kinh nghiệm có xác nhận của đơn vị; lịch sát hạch được thông báo trên trang thông tin
        điện tử của Sở.""",
    ),
    # --- Sở Giáo dục và Đào tạo ------------------------------------------------------------------
    Q(
        16,
        "HP-SGDDT",
        "giao-duc",
        "Nguyễn Thị Thu",
        "Đăng ký nguyện vọng vào lớp 10 công lập như thế nào?",
        """Con tôi đang học lớp 9 tại quận Lê Chân. Xin hỏi năm học tới thí sinh được đăng ký mấy nguyện vọng vào
        lớp 10 công lập, có được đăng ký trường ở quận khác không, và khi nào phải nộp phiếu đăng ký?""",
        """Hằng năm, Sở Giáo dục và Đào tạo ban hành kế hoạch tuyển sinh vào lớp 10, quy định số nguyện vọng, phân
        vùng tuyển sinh, môn thi và lịch đăng ký. Kế hoạch được gửi tới các trường trung học cơ sở và công bố trên
        trang thông tin điện tử của Sở từ học kỳ II.

        Học sinh đăng ký nguyện vọng qua trường trung học cơ sở đang học, có thể đăng ký trực tuyến theo hướng dẫn
        của nhà trường. Việc đăng ký trường ngoài quận thực hiện theo quy định phân vùng của kế hoạch năm đó. Chị nên
        theo dõi thông báo của nhà trường và của Sở để nắm chính xác thời hạn, không bỏ lỡ thời gian điều chỉnh nguyện
        vọng.""",
    ),
    Q(
        17,
        "HP-SGDDT",
        "giao-duc",
        "Phạm Văn Hiếu",
        "Trường thu nhiều khoản đầu năm học có đúng quy định không?",
        """Đầu năm học, lớp của con tôi ở một trường tiểu học trên địa bàn quận Hải An thông báo thu quỹ lớp, quỹ
        phụ huynh, tiền mua máy chiếu và tiền học tiếng Anh liên kết, tổng cộng gần 3 triệu đồng. Nhiều phụ huynh thấy
        quá nặng nhưng ngại ý kiến. Xin Sở cho biết khoản nào là bắt buộc, khoản nào là tự nguyện. Tôi có thể cung cấp
        thêm thông tin qua số 0903 000 275.""",
        """Sở Giáo dục và Đào tạo cảm ơn ông đã phản ánh. Theo quy định hiện hành, các khoản thu trong nhà trường gồm
        học phí (với cấp học có thu), các khoản thu dịch vụ phục vụ, hỗ trợ hoạt động giáo dục mà Hội đồng nhân dân
        thành phố quy định mức trần, và các khoản tài trợ trên tinh thần hoàn toàn tự nguyện. Ban đại diện cha mẹ học
        sinh không được quyên góp để mua sắm trang thiết bị, cơ sở vật chất cho nhà trường.

        Các chương trình tiếng Anh liên kết là dịch vụ tự nguyện; phụ huynh có quyền không đăng ký mà không ảnh
        hưởng đến việc học của con. Sở đã đề nghị Phòng Giáo dục và Đào tạo quận Hải An kiểm tra việc thu, chi đầu năm
        học tại trường và yêu cầu hoàn trả các khoản thu không đúng quy định nếu có.""",
        redact=("0903 000 275",),
    ),
    Q(
        18,
        "HP-SGDDT",
        "giao-duc",
        "Đặng Thị Ngọc",
        "Chuyển trường cho con từ tỉnh Thái Bình về Hải Phòng giữa năm học",
        """Gia đình tôi chuyển công tác từ Thái Bình về Hải Phòng, con tôi đang học lớp 7. Xin hỏi cháu có được
        chuyển trường giữa học kỳ I không, hồ sơ gồm những gì và nộp ở đâu?""",
        """Học sinh trung học cơ sở được chuyển trường khi gia đình chuyển nơi cư trú hoặc có lý do chính đáng.
        Thời điểm chuyển trường thường là dịp nghỉ hè hoặc khi kết thúc học kỳ I; trường hợp đặc biệt ngoài các thời
        điểm này do hiệu trưởng trường nơi đến xem xét.

        Hồ sơ gồm đơn xin chuyển trường của cha mẹ học sinh, học bạ, giấy giới thiệu chuyển trường của trường nơi
        đi, bản sao giấy khai sinh và giấy tờ về nơi cư trú mới. Chị liên hệ Phòng Giáo dục và Đào tạo quận, huyện nơi
        gia đình cư trú để được giới thiệu trường còn chỉ tiêu, sau đó nộp hồ sơ tại trường tiếp nhận.""",
    ),
    Q(
        19,
        "HP-SGDDT",
        "giao-duc",
        "Lưu Văn Thắng",
        "Con thuộc hộ cận nghèo có được miễn, giảm học phí không?",
        """Gia đình tôi thuộc hộ cận nghèo của xã, có hai con đang học trung học phổ thông. Xin hỏi các cháu có được
        giảm học phí và hỗ trợ chi phí học tập không, thủ tục làm thế nào?""",
        """Chính sách miễn, giảm học phí và hỗ trợ chi phí học tập áp dụng cho nhiều nhóm đối tượng, trong đó có học
        sinh thuộc hộ nghèo, hộ cận nghèo. Mức miễn, giảm cụ thể thực hiện theo quy định hiện hành của Chính phủ và
        nghị quyết của Hội đồng nhân dân thành phố cho từng năm học.

        Ông làm đơn đề nghị theo mẫu kèm bản sao giấy chứng nhận hộ cận nghèo do Ủy ban nhân dân cấp xã cấp, nộp
        cho nhà trường trong thời hạn nhà trường thông báo đầu mỗi học kỳ. Nhà trường xét duyệt, lập danh sách và thực
        hiện chế độ cho học sinh.""",
    ),
    Q(
        20,
        "HP-SGDDT",
        "giao-duc",
        "Mạc Thị Lan",
        "Làm mất bằng tốt nghiệp trung học phổ thông thì có được cấp lại không?",
        """Tôi tốt nghiệp trung học phổ thông tại Hải Phòng năm 2008, nay làm mất bằng tốt nghiệp. Xin hỏi tôi có
        được cấp lại bằng không, hay chỉ được cấp bản sao? Cần chuẩn bị những gì?""",
        """Theo quy định về quản lý văn bằng, chứng chỉ, văn bằng bị mất không được cấp lại bản chính. Người học
        được cấp bản sao từ sổ gốc; bản sao này có giá trị sử dụng thay cho bản chính trong các giao dịch.

        Với bằng tốt nghiệp trung học phổ thông, cơ quan quản lý sổ gốc là Sở Giáo dục và Đào tạo. Chị nộp đơn đề
        nghị cấp bản sao kèm căn cước tại Bộ phận tiếp nhận của Sở hoặc trực tuyến; nếu nhờ người khác nộp thay thì cần
        giấy ủy quyền theo quy định. Khi tra cứu được sổ gốc, bản sao thường được cấp ngay trong ngày hoặc ngày làm việc
        tiếp theo.""",
    ),
    # --- Sở Y tế ---------------------------------------------------------------------------------
    Q(
        21,
        "HP-SYT",
        "y-te",
        "Vũ Văn Tú",
        "Khám bảo hiểm y tế tại bệnh viện tuyến thành phố khi không có giấy chuyển tuyến",
        """Thẻ bảo hiểm y tế của tôi đăng ký khám ban đầu ở trạm y tế phường. Tôi bị đau dạ dày kéo dài, muốn đến
        khám thẳng tại bệnh viện tuyến thành phố. Xin hỏi nếu không có giấy chuyển tuyến thì được quỹ bảo hiểm y tế
        thanh toán bao nhiêu?""",
        """Theo quy định hiện hành về bảo hiểm y tế, mức hưởng khi người bệnh tự đi khám, chữa bệnh không qua chuyển
        tuyến phụ thuộc vào cấp chuyên môn kỹ thuật của cơ sở và việc điều trị ngoại trú hay nội trú. Quy định về thông
        tuyến đã được mở rộng trong thời gian gần đây; với một số bệnh, nhóm bệnh, người bệnh được chuyển thẳng lên cơ
        sở có chuyên môn kỹ thuật cao hơn mà vẫn hưởng đủ quyền lợi.

        Để được hưởng đầy đủ quyền lợi, ông nên khám tại cơ sở đăng ký ban đầu; khi vượt khả năng điều trị, cơ sở sẽ
        làm thủ tục chuyển tuyến. Ông có thể hỏi bộ phận tiếp đón của bệnh viện hoặc cơ quan bảo hiểm xã hội để biết mức
        hưởng cụ thể trước khi khám.""",
    ),
    Q(
        22,
        "HP-SYT",
        "y-te",
        "Trần Thị Phương",
        "Lịch tiêm chủng mở rộng cho trẻ dưới 1 tuổi và nơi tiêm",
        """Con tôi được 2 tháng tuổi. Xin hỏi theo chương trình tiêm chủng mở rộng thì cháu được tiêm miễn phí những
        vắc xin nào, tiêm ở đâu? Nếu tôi muốn tiêm thêm vắc xin dịch vụ thì có ảnh hưởng đến lịch tiêm miễn phí
        không?""",
        """Chương trình tiêm chủng mở rộng cung cấp miễn phí cho trẻ em các vắc xin phòng những bệnh truyền nhiễm
        nguy hiểm như lao, viêm gan B, bạch hầu, ho gà, uốn ván, bại liệt, bệnh do vi khuẩn Hib, sởi, viêm não Nhật Bản.
        Buổi tiêm chủng được tổ chức định kỳ hằng tháng tại trạm y tế phường, xã; trạm y tế thông báo lịch cụ thể cho
        gia đình.

        Chị có thể tiêm thêm vắc xin dịch vụ, nhưng cần mang theo sổ tiêm chủng hoặc thông tin tiêm chủng điện tử
        của trẻ để nhân viên y tế khám sàng lọc, tư vấn khoảng cách giữa các mũi và tránh tiêm trùng loại vắc xin.""",
    ),
    Q(
        23,
        "HP-SYT",
        "y-te",
        "Nguyễn Văn Định",
        "Phản ánh thời gian chờ khám quá lâu tại khoa khám bệnh",
        """Tháng trước tôi đưa mẹ đi khám tại khoa khám bệnh của một bệnh viện tuyến thành phố. Gia đình lấy số từ
        6 giờ sáng nhưng gần trưa mới được khám, trong khi một số người đến sau lại được vào trước mà không rõ lý do. Đề
        nghị Sở kiểm tra, chấn chỉnh. Số điện thoại liên hệ của tôi: 0936 000 512.""",
        """Sở Y tế cảm ơn ông đã phản ánh. Sau khi nhận được câu hỏi, Sở đã yêu cầu bệnh viện kiểm tra quy trình
        tiếp đón tại khoa khám bệnh. Theo báo cáo của bệnh viện, lượng người bệnh buổi sáng tăng cao; một số người bệnh
        được ưu tiên theo quy định (người cao tuổi, trẻ em, người khuyết tật, người đã hẹn khám trước) nhưng khu vực chờ
        chưa có bảng thông báo rõ ràng, gây bức xúc.

        Sở đã yêu cầu bệnh viện bổ sung bàn khám vào giờ cao điểm, niêm yết công khai các đối tượng ưu tiên và mở
        rộng đăng ký khám trước qua ứng dụng, tổng đài. Người bệnh có thể phản ánh qua đường dây nóng của bệnh viện và
        của Sở Y tế được niêm yết tại khu vực tiếp đón.""",
        redact=("0936 000 512",),
    ),
    Q(
        24,
        "HP-SYT",
        "y-te",
        "Đào Thị Hằng",
        "Thủ tục cấp giấy phép hoạt động cho phòng khám chuyên khoa nội",
        """Tôi là bác sĩ chuyên khoa nội, dự định mở phòng khám chuyên khoa nội tư nhân tại quận Hồng Bàng theo hình
        thức công ty. Xin hỏi điều kiện về người phụ trách chuyên môn, cơ sở vật chất và hồ sơ đề nghị cấp giấy phép
        hoạt động như thế nào?""",
        """Phòng khám chuyên khoa phải đáp ứng điều kiện về cơ sở vật chất, thiết bị y tế và nhân sự theo quy định
        hiện hành về khám bệnh, chữa bệnh. Người chịu trách nhiệm chuyên môn kỹ thuật phải có giấy phép hành nghề phù
        hợp với chuyên khoa, có đủ thời gian hành nghề theo quy định và làm việc toàn thời gian tại phòng khám.

        Hồ sơ đề nghị cấp giấy phép hoạt động gồm đơn đề nghị, bản sao giấy chứng nhận đăng ký doanh nghiệp, danh
        sách nhân sự, danh mục thiết bị, bản kê khai cơ sở vật chất và danh mục kỹ thuật dự kiến thực hiện, nộp tại Sở
        Y tế (trực tiếp hoặc trực tuyến). Sau khi tiếp nhận, Sở tổ chức thẩm định tại cơ sở trước khi cấp giấy phép.""",
        organisation=("Công ty TNHH Y tế Minh An", "0209900034"),
    ),
    Q(
        25,
        "HP-SYT",
        "y-te",
        "Lê Thị Nguyệt",
        "Bếp ăn tập thể trong công ty có phải có giấy chứng nhận an toàn thực phẩm?",
        """Công ty chúng tôi có khoảng 400 công nhân, đang tự tổ chức bếp ăn tập thể trong khuôn viên nhà máy. Xin
        hỏi bếp ăn có phải xin giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm không, cơ quan nào cấp? Nếu thuê
        công ty cung cấp suất ăn công nghiệp thì trách nhiệm thuộc về ai?""",
        """Bếp ăn tập thể là cơ sở kinh doanh dịch vụ ăn uống thuộc đối tượng phải có giấy chứng nhận cơ sở đủ điều
        kiện an toàn thực phẩm theo quy định hiện hành, trừ các trường hợp được miễn. Thẩm quyền cấp được phân cấp theo
        quy mô; Công ty liên hệ Chi cục An toàn vệ sinh thực phẩm thuộc Sở Y tế để được hướng dẫn nơi nộp hồ sơ.

        Nếu thuê đơn vị cung cấp suất ăn, đơn vị đó phải có giấy chứng nhận đủ điều kiện; Công ty có trách nhiệm
        chọn đơn vị đủ điều kiện, kiểm tra việc lưu mẫu thức ăn, kiểm thực ba bước và phối hợp xử lý khi có sự cố. Sở Y
        tế khuyến nghị doanh nghiệp có đông người lao động kiểm tra bếp ăn định kỳ, nhất là vào mùa nắng nóng.""",
        organisation=("Công ty Cổ phần May Hải Thành", "0209900041"),
    ),
    # --- Sở Giao thông vận tải -------------------------------------------------------------------
    Q(
        26,
        "HP-SGTVT",
        "giao-thong",
        "Phạm Quốc Việt",
        "Xe tải trên 2,5 tấn được đi vào nội thành trong khung giờ nào?",
        """Công ty chúng tôi có đội xe tải giao hàng cho các cửa hàng trong nội thành. Xin hỏi hiện nay xe tải có
        tải trọng trên 2,5 tấn bị hạn chế lưu thông vào nội thành trong những khung giờ nào, và muốn đi vào giờ hạn chế
        thì xin giấy phép ở đâu?""",
        """Việc hạn chế xe tải lưu thông trong khu vực nội thành do Ủy ban nhân dân thành phố quy định theo từng
        tuyến đường, khung giờ và tải trọng, nhằm giảm ùn tắc vào giờ cao điểm. Phương án tổ chức giao thông hiện hành
        được công khai trên trang thông tin điện tử của Sở Giao thông vận tải và thể hiện bằng biển báo trên từng tuyến.

        Trường hợp cần lưu thông trong khung giờ hạn chế để phục vụ hoạt động thiết yếu, doanh nghiệp nộp hồ sơ đề
        nghị cấp giấy phép lưu hành tại Sở Giao thông vận tải, nêu rõ lộ trình, thời gian và lý do; hồ sơ có thể nộp
        trực tuyến. Giấy phép được cấp cho từng phương tiện và có thời hạn.""",
        organisation=("Công ty TNHH Vận tải Đông Hải", "0209900059"),
    ),
    Q(
        27,
        "HP-SGTVT",
        "giao-thong",
        "Hà Thị Quyên",
        "Đề nghị lắp đèn tín hiệu tại nút giao trước cổng trường tiểu học",
        """Tôi sống tại số 9 ngõ 12 đường Hoàng Minh Thảo, quận Lê Chân. Nút giao trước cổng trường tiểu học gần nhà
        tôi không có đèn tín hiệu, giờ tan học xe cộ rất đông, đã xảy ra vài vụ va chạm. Đề nghị Sở xem xét lắp đèn tín
        hiệu hoặc bố trí người phân luồng vào giờ tan học.""",
        """Sở Giao thông vận tải đã phối hợp với Ủy ban nhân dân quận Lê Chân và Công an quận khảo sát nút giao bà
        phản ánh. Kết quả khảo sát cho thấy lưu lượng xe vào giờ tan học tăng đột biến, tầm nhìn tại góc giao bị hạn chế
        do hàng quán lấn chiếm vỉa hè.

        Trước mắt, Sở đã đề nghị lắp bổ sung biển cảnh báo khu vực trường học, sơn vạch giảm tốc và phối hợp với
        nhà trường, Công an phường bố trí lực lượng phân luồng vào giờ đón, trả học sinh. Việc lắp đèn tín hiệu sẽ được
        xem xét trong kế hoạch tổ chức giao thông năm tới, trên cơ sở số liệu đếm xe sau khi áp dụng các giải pháp
        trên.""",
        redact=("số 9 ngõ 12 đường Hoàng Minh Thảo",),
    ),
    Q(
        28,
        "HP-SGTVT",
        "giao-thong",
        "Lê Thị Hồng Nhung",
        "Vé tháng xe buýt cho học sinh đi từ Thủy Nguyên vào trung tâm",
        """Con tôi học cấp ba ở trung tâm thành phố, hằng ngày đi từ huyện Thủy Nguyên. Xin hỏi tuyến xe buýt nào đi
        qua khu vực này, bao nhiêu phút có một chuyến, và học sinh có được mua vé tháng giá ưu đãi không?""",
        """Khu vực huyện Thủy Nguyên hiện có một số tuyến xe buýt kết nối với trung tâm thành phố qua các cầu bắc qua
        sông Cấm; tần suất chạy xe giờ cao điểm dày hơn giờ thấp điểm. Lộ trình, giờ chạy và điểm dừng của từng tuyến
        được công bố trên trang thông tin điện tử của Sở Giao thông vận tải và niêm yết tại các nhà chờ.

        Học sinh, sinh viên được mua vé tháng giá ưu đãi theo quy định của thành phố. Chị chuẩn bị ảnh và giấy xác
        nhận của nhà trường hoặc thẻ học sinh để đăng ký tại điểm bán vé tháng của doanh nghiệp vận tải hoặc trên ứng
        dụng của đơn vị khai thác tuyến.""",
    ),
    Q(
        29,
        "HP-SGTVT",
        "giao-thong",
        "Nguyễn Hữu Phúc",
        "Thủ tục cấp phép đào vỉa hè để lắp cáp viễn thông ngầm",
        """Công ty chúng tôi cần thi công hạ ngầm khoảng 800 m cáp quang dọc vỉa hè một tuyến đường do thành phố
        quản lý. Xin hỏi doanh nghiệp phải xin phép thi công ở cơ quan nào, hồ sơ cần những gì và thời gian giải quyết
        bao lâu?""",
        """Việc thi công công trình thiết yếu trong phạm vi bảo vệ kết cấu hạ tầng giao thông đường bộ đang khai
        thác phải có giấy phép thi công của cơ quan quản lý đường bộ. Với tuyến đường do thành phố quản lý, thẩm quyền
        cấp phép thuộc Sở Giao thông vận tải; với vỉa hè các tuyến do quận, huyện quản lý thì thuộc Ủy ban nhân dân cấp
        huyện.

        Hồ sơ gồm đơn đề nghị cấp phép thi công, văn bản chấp thuận vị trí công trình thiết yếu (nếu có), hồ sơ
        thiết kế bản vẽ thi công, biện pháp tổ chức thi công bảo đảm an toàn giao thông và cam kết hoàn trả mặt bằng.
        Thời hạn giải quyết được ghi trên giấy tiếp nhận. Doanh nghiệp nên phối hợp với đơn vị quản lý hạ tầng kỹ thuật
        ngầm để tránh chồng lấn với các công trình hiện có.""",
        organisation=("Công ty Cổ phần Viễn thông Cảng Xanh", "0209900066"),
    ),
    # --- Sở Lao động - Thương binh và Xã hội -----------------------------------------------------
    Q(
        30,
        "HP-SLDTBXH",
        "lao-dong-viec-lam",
        "Trần Văn Quân",
        "Nghỉ việc bao lâu thì phải nộp hồ sơ hưởng trợ cấp thất nghiệp?",
        """Tôi đã đóng bảo hiểm thất nghiệp được 3 năm và vừa chấm dứt hợp đồng lao động với công ty. Xin hỏi tôi
        phải nộp hồ sơ hưởng trợ cấp thất nghiệp trong thời hạn bao lâu, nộp ở đâu và cần những giấy tờ gì?""",
        """Người lao động đã chấm dứt hợp đồng lao động và đủ điều kiện về thời gian đóng bảo hiểm thất nghiệp phải
        nộp hồ sơ đề nghị hưởng trợ cấp trong thời hạn luật định kể từ ngày chấm dứt hợp đồng. Quá thời hạn này mà không
        nộp, thời gian đóng chưa hưởng được bảo lưu cho lần hưởng sau.

        Hồ sơ gồm đơn đề nghị hưởng trợ cấp thất nghiệp theo mẫu, bản sao quyết định thôi việc hoặc giấy tờ chứng
        minh việc chấm dứt hợp đồng lao động và sổ bảo hiểm xã hội. Ông nộp tại Trung tâm Dịch vụ việc làm Hải Phòng,
        các điểm tiếp nhận ở quận, huyện hoặc trực tuyến. Sau khi có quyết định hưởng, ông cần thông báo tình hình tìm
        kiếm việc làm theo lịch hẹn của Trung tâm.""",
    ),
    Q(
        31,
        "HP-SLDTBXH",
        "lao-dong-viec-lam",
        "Nguyễn Thị Bích",
        "Công ty nợ lương hai tháng và chưa chốt sổ bảo hiểm xã hội",
        """Tôi làm công nhân tại Công ty TNHH Giày Phú Cường ở huyện An Dương, đã nghỉ việc từ tháng 3 nhưng công ty
        còn nợ hai tháng lương và chưa chốt sổ bảo hiểm xã hội nên tôi chưa làm được thủ tục hưởng trợ cấp thất nghiệp.
        Nhiều người cùng xưởng cũng gặp tình trạng như vậy. Đề nghị cơ quan chức năng can thiệp giúp.""",
        """Sở Lao động - Thương binh và Xã hội đã tiếp nhận phản ánh và phối hợp với Bảo hiểm xã hội thành phố, Ủy
        ban nhân dân huyện An Dương làm việc với doanh nghiệp. Doanh nghiệp thừa nhận chậm trả lương và chậm đóng bảo
        hiểm xã hội do khó khăn về đơn hàng, đã cam kết lộ trình thanh toán tiền lương còn nợ cho người lao động đã nghỉ
        việc.

        Theo quy định hiện hành, người sử dụng lao động phải thanh toán đầy đủ các khoản liên quan đến quyền lợi
        của người lao động và phối hợp xác nhận thời gian đóng bảo hiểm khi chấm dứt hợp đồng; trường hợp doanh nghiệp
        nợ đóng, người lao động vẫn được xác nhận thời gian đã đóng để giải quyết chế độ.

        Sở tiếp tục giám sát việc thực hiện cam kết; nếu doanh nghiệp không thực hiện sẽ bị xử lý theo quy định. Bà
        có thể liên hệ Phòng Lao động - Thương binh và Xã hội huyện An Dương để được hỗ trợ thêm.""",
        redact=("Công ty TNHH Giày Phú Cường",),
    ),
    Q(
        32,
        "HP-SLDTBXH",
        "bao-hiem-xa-hoi",
        "Hoàng Thị Yến",
        "Nghỉ việc hơn một năm có được nhận bảo hiểm xã hội một lần không?",
        """Tôi đã đóng bảo hiểm xã hội bắt buộc được 8 năm, nghỉ việc ở công ty được hơn một năm và chưa đi làm
        lại. Xin hỏi hiện nay tôi có được nhận bảo hiểm xã hội một lần không? Nếu tiếp tục bảo lưu thì sau này tôi được
        hưởng những quyền lợi gì?""",
        """Điều kiện hưởng bảo hiểm xã hội một lần đã có thay đổi theo quy định hiện hành về bảo hiểm xã hội và áp
        dụng khác nhau tùy thời điểm bắt đầu tham gia. Việc chị có đủ điều kiện hay không do cơ quan bảo hiểm xã hội xác
        định trên cơ sở quá trình đóng của chị.

        Sở khuyến nghị người lao động cân nhắc kỹ trước khi hưởng một lần. Khi bảo lưu thời gian đóng, chị có thể
        tiếp tục tham gia bảo hiểm xã hội bắt buộc khi đi làm lại hoặc tham gia bảo hiểm xã hội tự nguyện để cộng nối
        thời gian, hướng tới lương hưu và thẻ bảo hiểm y tế khi về già. Chị có thể liên hệ cơ quan bảo hiểm xã hội nơi
        cư trú để tra cứu quá trình đóng và được tư vấn cụ thể.""",
    ),
    Q(
        33,
        "HP-SLDTBXH",
        "lao-dong-viec-lam",
        "Ngô Thanh Tâm",
        "Chuyên gia nước ngoài sang làm việc ngắn hạn có cần giấy phép lao động?",
        """Công ty chúng tôi mời một kỹ sư người Hàn Quốc sang hướng dẫn lắp đặt dây chuyền sản xuất trong khoảng
        hai tháng. Xin hỏi trường hợp này có phải xin giấy phép lao động không, hay chỉ cần xác nhận không thuộc diện
        cấp giấy phép? Thời gian giải quyết bao lâu?""",
        """Người lao động nước ngoài vào Việt Nam để xử lý sự cố, tình huống kỹ thuật, công nghệ phức tạp ảnh hưởng
        đến sản xuất kinh doanh mà chuyên gia trong nước chưa xử lý được, với thời gian làm việc ngắn hạn theo quy định,
        thuộc trường hợp không phải cấp giấy phép lao động. Tuy nhiên, doanh nghiệp vẫn phải đề nghị cơ quan có thẩm
        quyền xác nhận người lao động không thuộc diện cấp giấy phép, trừ một số trường hợp chỉ cần báo cáo.

        Công ty chuẩn bị văn bản đề nghị, giấy tờ chứng minh mục đích và thời gian làm việc của chuyên gia (hợp
        đồng lắp đặt, văn bản cử sang làm việc của đối tác) và bản sao hộ chiếu, nộp tại Sở hoặc trực tuyến. Doanh
        nghiệp nên nộp trước ngày chuyên gia dự kiến bắt đầu làm việc để bảo đảm thời hạn.""",
        organisation=("Công ty TNHH Kỹ thuật Sao Biển Việt Nam", "0209900073"),
    ),
    Q(
        34,
        "HP-SLDTBXH",
        "bao-hiem-xa-hoi",
        "Bùi Văn Nam",
        "Thủ tục hưởng trợ cấp hằng tháng cho mẹ tôi đã cao tuổi",
        """Mẹ tôi năm nay 82 tuổi, không có lương hưu hay trợ cấp bảo hiểm xã hội nào. Xin hỏi bà có được hưởng trợ
        cấp hằng tháng không, và thủ tục làm ở đâu? Gia đình tôi ở quận Kiến An.""",
        """Người cao tuổi không có lương hưu hoặc trợ cấp bảo hiểm xã hội hằng tháng, đáp ứng điều kiện về độ tuổi
        theo quy định hiện hành, được xem xét hưởng trợ cấp hằng tháng và được cấp thẻ bảo hiểm y tế. Mức trợ cấp theo
        quy định của Chính phủ và có thể được thành phố hỗ trợ thêm.

        Ông làm tờ khai đề nghị theo mẫu (kê khai thay nếu bà không tự làm được) kèm bản sao giấy tờ tùy thân của
        bà, nộp tại Ủy ban nhân dân phường nơi bà cư trú. Ủy ban nhân dân phường xem xét, niêm yết công khai và
        chuyển hồ
        sơ lên Phòng Lao động - Thương binh và Xã hội quận Kiến An để trình quyết định.""",
        channel="paper",
    ),
    Q(
        35,
        "HP-SLDTBXH",
        "lao-dong-viec-lam",
        "Đoàn Văn Lực",
        "Lao động nông thôn học nghề sửa chữa xe máy có được hỗ trợ học phí?",
        """Tôi 28 tuổi, làm nông ở huyện Tiên Lãng, muốn học nghề sửa chữa xe máy để có thêm thu nhập. Xin hỏi tôi
        có được hỗ trợ chi phí học nghề không và đăng ký ở đâu?""",
        """Lao động nông thôn có nhu cầu học nghề trình độ sơ cấp hoặc đào tạo thường xuyên thuộc đối tượng được
        xem xét hỗ trợ chi phí đào tạo theo chính sách hiện hành của Trung ương và thành phố; mức hỗ trợ tùy nhóm đối
        tượng và nghề đào tạo. Người thuộc hộ nghèo, hộ cận nghèo, người khuyết tật được ưu tiên hỗ trợ ở mức cao hơn.

        Anh đăng ký với Ủy ban nhân dân xã nơi cư trú hoặc liên hệ Trung tâm Giáo dục nghề nghiệp - Giáo dục thường
        xuyên huyện Tiên Lãng. Các lớp sửa chữa xe máy được mở theo đợt khi đủ học viên; học xong, học viên được cấp
        chứng chỉ và được giới thiệu việc làm tại các phiên giao dịch việc làm của thành phố.""",
    ),
    # --- Sở Tư pháp ------------------------------------------------------------------------------
    Q(
        36,
        "HP-STP",
        "ho-tich-tu-phap",
        "Phạm Thị Thanh",
        "Bố mẹ chưa đăng ký kết hôn thì giấy khai sinh của con có ghi tên bố không?",
        """Tôi và chồng sống chung nhưng chưa đăng ký kết hôn, nay con chúng tôi được 1 tháng tuổi. Xin hỏi khi làm
        giấy khai sinh cho cháu có ghi được tên bố không, và cần những giấy tờ gì?""",
        """Trường hợp cha, mẹ chưa đăng ký kết hôn, khi đăng ký khai sinh cho con mà người cha có yêu cầu nhận con
        thì cơ quan đăng ký hộ tịch kết hợp giải quyết việc đăng ký khai sinh và nhận cha, con; thông tin về người cha
        được ghi vào giấy khai sinh của cháu.

        Hồ sơ gồm tờ khai đăng ký khai sinh, giấy chứng sinh, tờ khai đăng ký nhận cha, con và chứng cứ chứng minh
        quan hệ cha, con (văn bản của cơ sở y tế hoặc cơ quan giám định; nếu không có thì văn bản cam đoan của cha, mẹ
        có người làm chứng theo quy định). Chị và chồng cùng đến Ủy ban nhân dân cấp xã nơi cư trú để làm thủ tục; việc
        đăng ký khai sinh cũng có thể thực hiện trực tuyến.""",
    ),
    Q(
        37,
        "HP-STP",
        "ho-tich-tu-phap",
        "Nguyễn Mạnh Cường",
        "Xin cấp phiếu lý lịch tư pháp trực tuyến có được không?",
        """Tôi cần phiếu lý lịch tư pháp số 1 để bổ sung hồ sơ xin việc. Xin hỏi tôi có thể đăng ký cấp phiếu trực
        tuyến không, lệ phí bao nhiêu và bao lâu thì nhận được?""",
        """Công dân có thể đề nghị cấp phiếu lý lịch tư pháp trực tuyến trên Cổng dịch vụ công hoặc ứng dụng định
        danh điện tử; khi nộp trực tuyến, người nộp không phải xuất trình lại các giấy tờ đã có trong cơ sở dữ liệu quốc
        gia về dân cư. Ông cũng có thể nộp trực tiếp tại Sở Tư pháp.

        Lệ phí cấp phiếu lý lịch tư pháp thực hiện theo quy định hiện hành, được miễn hoặc giảm cho một số đối
        tượng; mức thu được niêm yết tại nơi tiếp nhận. Thời hạn giải quyết được ghi trên giấy hẹn; ông có thể chọn
        nhận kết quả trực tiếp, qua bưu chính hoặc bản điện tử.""",
    ),
    Q(
        38,
        "HP-STP",
        "ho-tich-tu-phap",
        "Trần Thị Kim Oanh",
        "Chứng thực bản sao từ bản chính có phải làm ở nơi cư trú không?",
        """Tôi thường trú ở Thái Bình nhưng đang làm việc tại Hải Phòng. Xin hỏi tôi có thể chứng thực bản sao bằng
        đại học và căn cước ở phường nơi tôi đang ở trọ không? Có cần mang theo bản chính không?""",
        """Việc chứng thực bản sao từ bản chính không phụ thuộc vào nơi cư trú của người yêu cầu. Chị có thể yêu cầu
        chứng thực tại bất kỳ Ủy ban nhân dân cấp xã, Phòng Tư pháp cấp huyện hoặc tổ chức hành nghề công chứng nào.

        Khi đến chứng thực, chị xuất trình bản chính giấy tờ kèm bản sao cần chứng thực (hoặc đề nghị nơi chứng
        thực chụp từ bản chính). Không chứng thực bản sao từ bản chính đối với giấy tờ bị tẩy xóa, sửa chữa, hư hỏng
        không xác định được nội dung hoặc có nội dung trái pháp luật.""",
    ),
    Q(
        39,
        "HP-STP",
        "ho-tich-tu-phap",
        "Lê Thị Diệu Linh",
        "Thủ tục đăng ký kết hôn với người nước ngoài tại Hải Phòng",
        """Tôi dự định đăng ký kết hôn với bạn trai người Nhật Bản. Xin hỏi chúng tôi đăng ký ở đâu, bạn tôi cần
        những giấy tờ gì từ Nhật Bản và có phải phỏng vấn không?""",
        """Việc đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước với người nước ngoài được thực hiện tại cơ
        quan đăng ký hộ tịch có thẩm quyền nơi cư trú của công dân Việt Nam. Hai bên cùng có mặt khi nhận giấy chứng
        nhận kết hôn.

        Hồ sơ gồm tờ khai đăng ký kết hôn; giấy xác nhận của cơ sở y tế về việc không mắc bệnh làm mất khả năng
        nhận thức, làm chủ hành vi; giấy tờ chứng minh tình trạng hôn nhân của người nước ngoài do cơ quan có thẩm quyền
        của Nhật Bản cấp, được hợp pháp hóa lãnh sự và dịch sang tiếng Việt (trừ trường hợp được miễn); bản sao hộ
        chiếu. Cơ quan đăng ký có thể xác minh, phỏng vấn khi thấy cần thiết.

        Chị có thể liên hệ Phòng Tư pháp nơi cư trú để được hướng dẫn chi tiết trước khi nộp hồ sơ.""",
    ),
    Q(
        40,
        "HP-STP",
        "ho-tich-tu-phap",
        "Vũ Đình Hòa",
        "Người khuyết tật có được trợ giúp pháp lý miễn phí không?",
        """Tôi là người khuyết tật vận động, đang có tranh chấp về hợp đồng vay tiền với một người quen. Xin hỏi tôi
        có được luật sư hoặc trợ giúp viên pháp lý hỗ trợ miễn phí không, và liên hệ ở đâu?""",
        """Người khuyết tật có khó khăn về tài chính thuộc diện được trợ giúp pháp lý miễn phí theo quy định hiện
        hành về trợ giúp pháp lý. Hình thức trợ giúp gồm tư vấn pháp luật, tham gia tố tụng và đại diện ngoài tố tụng.

        Ông có thể liên hệ Trung tâm Trợ giúp pháp lý nhà nước thành phố (trực thuộc Sở Tư pháp) hoặc các điểm tiếp
        nhận tại quận, huyện, mang theo giấy xác nhận khuyết tật và giấy tờ liên quan đến vụ việc. Nếu đi lại khó khăn,
        ông có thể gửi yêu cầu qua bưu chính, điện thoại hoặc đề nghị trợ giúp viên pháp lý đến gặp.""",
    ),
    # --- Sở Kế hoạch và Đầu tư -------------------------------------------------------------------
    Q(
        41,
        "HP-SKHDT",
        "dau-tu-doanh-nghiep",
        "Nguyễn Hoàng Anh",
        "Đăng ký thành lập công ty TNHH một thành viên qua mạng",
        """Tôi muốn thành lập công ty TNHH một thành viên kinh doanh thương mại điện tử, vốn điều lệ 500 triệu đồng.
        Xin hỏi tôi có thể tự nộp hồ sơ qua mạng không, cần chuẩn bị những giấy tờ gì và bao lâu thì có giấy chứng nhận
        đăng ký doanh nghiệp?""",
        """Ông có thể tự nộp hồ sơ đăng ký doanh nghiệp qua Cổng thông tin quốc gia về đăng ký doanh nghiệp bằng
        tài khoản định danh điện tử hoặc chữ ký số. Hồ sơ thành lập công ty TNHH một thành viên do cá nhân làm chủ sở
        hữu gồm giấy đề nghị đăng ký doanh nghiệp, điều lệ công ty và bản sao giấy tờ pháp lý của chủ sở hữu.

        Phòng Đăng ký kinh doanh xem xét hồ sơ và cấp giấy chứng nhận đăng ký doanh nghiệp trong thời hạn luật định
        nếu hồ sơ hợp lệ; trường hợp cần sửa đổi, bổ sung, Phòng thông báo qua hệ thống. Sau khi thành lập, ông cần thực
        hiện các thủ tục về thuế, tài khoản ngân hàng và hóa đơn điện tử.""",
    ),
    Q(
        42,
        "HP-SKHDT",
        "dau-tu-doanh-nghiep",
        "Tạ Thị Liên",
        "Hộ kinh doanh chuyển lên doanh nghiệp được hỗ trợ những gì?",
        """Tôi đang kinh doanh cửa hàng vật liệu xây dựng theo hình thức hộ kinh doanh được 6 năm. Xin hỏi nếu
        chuyển đổi thành doanh nghiệp thì tôi có được hỗ trợ gì về thủ tục, thuế hay tư vấn kế toán không?""",
        """Nhà nước khuyến khích hộ kinh doanh chuyển đổi thành doanh nghiệp. Theo quy định hiện hành về hỗ trợ
        doanh nghiệp nhỏ và vừa, doanh nghiệp chuyển đổi từ hộ kinh doanh được tư vấn, hướng dẫn miễn phí về hồ sơ, thủ
        tục thành lập; được miễn lệ phí đăng ký doanh nghiệp và một số phí, lệ phí trong thời gian đầu; được hỗ trợ tư
        vấn về chế độ kế toán, thuế.

        Bà có thể liên hệ Phòng Đăng ký kinh doanh hoặc Trung tâm Hỗ trợ doanh nghiệp thuộc Sở để được tư vấn trực
        tiếp. Hồ sơ đăng ký doanh nghiệp trên cơ sở chuyển đổi từ hộ kinh doanh kèm bản sao giấy chứng nhận đăng ký hộ
        kinh doanh và mã số thuế của hộ.""",
    ),
    Q(
        43,
        "HP-SKHDT",
        "dau-tu-doanh-nghiep",
        "Lâm Thị Phương Thảo",
        "Nhà đầu tư nước ngoài thuê đất trong khu công nghiệp cần thủ tục gì?",
        """Chúng tôi là đơn vị tư vấn cho một nhà đầu tư Singapore muốn thuê đất trong khu công nghiệp tại Hải
        Phòng để xây nhà máy sản xuất linh kiện điện tử. Xin hỏi dự án có phải xin chấp thuận chủ trương đầu tư không,
        hay chỉ cần cấp giấy chứng nhận đăng ký đầu tư? Cơ quan nào tiếp nhận hồ sơ?""",
        """Việc dự án có phải chấp thuận chủ trương đầu tư hay không phụ thuộc vào quy mô vốn, việc sử dụng đất,
        ngành nghề và địa điểm thực hiện theo quy định hiện hành về đầu tư. Với dự án trong khu công nghiệp đã có quy
        hoạch và hạ tầng, nhà đầu tư thuê lại đất của chủ đầu tư hạ tầng, phần lớn trường hợp chỉ thực hiện thủ tục cấp
        giấy chứng nhận đăng ký đầu tư.

        Hồ sơ dự án trong khu công nghiệp, khu kinh tế được tiếp nhận tại Ban Quản lý Khu kinh tế Hải Phòng; Sở Kế
        hoạch và Đầu tư tiếp nhận dự án ngoài các khu này. Quý Công ty có thể đăng ký làm việc với Ban Quản lý để được
        hướng dẫn trước khi nộp, giúp rút ngắn thời gian giải quyết.""",
        organisation=("Công ty TNHH Tư vấn Đầu tư Bến Cảng", "0209900080"),
    ),
    # --- Sở Tài chính ----------------------------------------------------------------------------
    Q(
        44,
        "HP-STC",
        "thue-phi",
        "Cao Văn Tiến",
        "Mua lại xe máy cũ thì nộp lệ phí trước bạ thế nào?",
        """Tôi mua lại một chiếc xe máy đã qua sử dụng 3 năm của người quen ở quận khác. Xin hỏi khi sang tên tôi
        phải nộp lệ phí trước bạ bao nhiêu phần trăm, giá tính lệ phí được xác định thế nào?""",
        """Lệ phí trước bạ đối với xe máy đã qua sử dụng bằng giá tính lệ phí trước bạ nhân với tỷ lệ thu theo quy
        định. Giá tính lệ phí căn cứ bảng giá do Bộ Tài chính ban hành và tỷ lệ chất lượng còn lại của xe theo thời gian
        đã sử dụng.

        Tỷ lệ thu đối với xe máy nộp lệ phí trước bạ từ lần thứ hai trở đi thấp hơn lần đầu; trường hợp xe trước
        đó đã nộp ở mức thấp hơn tại địa bàn khác thì có thể phải nộp bổ sung theo quy định. Ông kê khai trực tuyến hoặc
        tại cơ quan thuế, sau đó làm thủ tục đăng ký sang tên tại cơ quan công an.""",
    ),
    Q(
        45,
        "HP-STC",
        "thue-phi",
        "Đặng Văn Toàn",
        "Nộp thừa tiền sử dụng đất thì làm sao để được hoàn lại?",
        """Khi chuyển mục đích sử dụng đất, tôi đã nộp tiền sử dụng đất theo thông báo. Sau đó cơ quan chức năng
        điều chỉnh lại diện tích nên số tiền phải nộp giảm, tôi đã nộp thừa khoảng 40 triệu đồng. Xin hỏi tôi làm thủ
        tục gì để được hoàn trả?""",
        """Trường hợp người sử dụng đất đã nộp tiền sử dụng đất lớn hơn số phải nộp do điều chỉnh diện tích, số tiền
        nộp thừa được bù trừ vào nghĩa vụ tài chính khác hoặc hoàn trả theo quy định hiện hành về quản lý thuế.

        Ông lập văn bản đề nghị xử lý số tiền nộp thừa theo mẫu, gửi cơ quan thuế quản lý khoản thu kèm chứng từ
        nộp tiền và quyết định điều chỉnh của cơ quan có thẩm quyền. Sở Tài chính đã trao đổi với cơ quan thuế; ông liên
        hệ bộ phận một cửa của cơ quan thuế nơi đã nộp để được hướng dẫn và theo dõi tiến độ hoàn trả.""",
    ),
    Q(
        46,
        "HP-STC",
        "thue-phi",
        "Vương Đức Mạnh",
        "Kê khai phí sử dụng hạ tầng tại khu vực cửa khẩu cảng biển như thế nào?",
        """Công ty chúng tôi làm dịch vụ khai thuê hải quan, thường xuyên làm thủ tục cho hàng xuất nhập khẩu qua
        cảng Hải Phòng. Xin hỏi phí sử dụng công trình kết cấu hạ tầng tại khu vực cửa khẩu cảng biển có kê khai, nộp
        trực tuyến được không và có được gộp nhiều tờ khai để nộp một lần không?""",
        """Phí sử dụng công trình kết cấu hạ tầng, công trình dịch vụ, tiện ích công cộng trong khu vực cửa khẩu
        cảng biển được thu theo nghị quyết của Hội đồng nhân dân thành phố; mức thu phân biệt theo loại hàng hóa và
        phương tiện chứa hàng. Doanh nghiệp kê khai và nộp phí qua hệ thống thu phí điện tử của thành phố, có thể thanh
        toán trực tuyến qua ngân hàng.

        Mỗi tờ khai hải quan được kê khai phí tương ứng; hệ thống cho phép tra cứu và thanh toán nhiều tờ khai trong
        cùng một lần giao dịch. Khi cần hỗ trợ về tài khoản, chữ ký số hoặc biên lai điện tử, Quý Công ty liên hệ bộ
        phận
        hỗ trợ của hệ thống thu phí được thông báo trên trang thông tin điện tử của Sở Tài chính.""",
        organisation=("Công ty Cổ phần Logistics Ánh Dương", "0209900098"),
    ),
    # --- Sở Thông tin và Truyền thông ------------------------------------------------------------
    Q(
        47,
        "HP-STTTT",
        "thong-tin-truyen-thong",
        "Đỗ Minh Châu",
        "Nhận cuộc gọi giả danh công an yêu cầu chuyển tiền thì báo ở đâu?",
        """Mẹ tôi vừa nhận được cuộc gọi của một người tự xưng là cán bộ công an, nói bà liên quan đến một vụ án và
        yêu cầu chuyển tiền vào tài khoản để xác minh. May là gia đình phát hiện kịp. Xin hỏi chúng tôi nên phản ánh số
        điện thoại này ở đâu để ngăn chặn?""",
        """Sở Thông tin và Truyền thông cảm ơn gia đình đã cảnh giác. Cơ quan công an không làm việc với người dân
        qua điện thoại để yêu cầu chuyển tiền; mọi yêu cầu chuyển tiền “để xác minh” đều là dấu hiệu lừa đảo.

        Gia đình có thể phản ánh cuộc gọi, tin nhắn lừa đảo qua đầu số tiếp nhận phản ánh cuộc gọi rác, tin nhắn
        rác theo hướng dẫn của nhà mạng, qua trang thông tin cảnh báo lừa đảo trực tuyến của cơ quan chức năng, đồng
        thời trình báo cơ quan công an gần nhất. Khi phản ánh, nên cung cấp số điện thoại, thời gian gọi và nội dung
        cuộc
        gọi càng chi tiết càng tốt.""",
    ),
    Q(
        48,
        "HP-STTTT",
        "thong-tin-truyen-thong",
        "Hứa Thị Ngân",
        "Doanh nghiệp mở trang tin tổng hợp về du lịch cần giấy phép gì?",
        """Công ty chúng tôi muốn xây dựng một trang web tổng hợp tin tức về du lịch, ẩm thực Hải Phòng, có dẫn lại
        bài viết từ một số báo điện tử. Xin hỏi trường hợp này có phải xin giấy phép thiết lập trang thông tin điện tử
        tổng hợp không? Điều kiện về nhân sự và tên miền như thế nào?""",
        """Trang thông tin điện tử cung cấp thông tin tổng hợp trên cơ sở dẫn lại nguyên văn, chính xác nguồn tin
        chính thức từ các cơ quan báo chí, cơ quan nhà nước thuộc đối tượng phải có giấy phép thiết lập trang thông tin
        điện tử tổng hợp. Doanh nghiệp phải đáp ứng điều kiện về tổ chức, nhân sự chịu trách nhiệm quản lý nội dung, tên
        miền và biện pháp kỹ thuật bảo đảm an toàn thông tin.

        Tên miền phải còn thời hạn sử dụng và được đăng ký đúng quy định; doanh nghiệp cần có thỏa thuận bằng văn
        bản với các cơ quan báo chí về việc dẫn lại tin. Hồ sơ đề nghị cấp phép nộp tại Sở Thông tin và Truyền thông
        (trực tiếp, qua bưu chính hoặc trực tuyến).""",
        organisation=("Công ty TNHH Truyền thông Phố Cảng", "0209900108"),
    ),
    Q(
        49,
        "HP-STTTT",
        "thong-tin-truyen-thong",
        "Phan Văn Hưng",
        "Dùng tài khoản định danh điện tử để nộp hồ sơ trên Cổng dịch vụ công thành phố",
        """Tôi đã có tài khoản định danh điện tử mức độ 2. Xin hỏi tôi có thể dùng tài khoản này để đăng nhập và nộp
        hồ sơ trên Cổng dịch vụ công của thành phố không? Khi nộp trực tuyến tôi có phải đến nộp bản giấy nữa không?""",
        """Cổng dịch vụ công của thành phố đã kết nối với hệ thống định danh và xác thực điện tử; người dân đăng nhập
        bằng tài khoản định danh điện tử để nộp hồ sơ, thanh toán phí, lệ phí và nhận kết quả. Khi đăng nhập, thông tin
        cá nhân được tự động điền từ cơ sở dữ liệu quốc gia về dân cư, giảm bớt việc kê khai.

        Với thủ tục được cung cấp dịch vụ công trực tuyến toàn trình, ông không phải nộp bản giấy; với thủ tục còn
        yêu cầu đối chiếu bản chính, hệ thống sẽ thông báo khi tiếp nhận. Nếu gặp khó khăn khi đăng nhập, ông liên hệ
        tổng đài hỗ trợ hoặc bộ phận hướng dẫn tại Trung tâm Phục vụ hành chính công thành phố.""",
    ),
    # --- Quận, huyện và Ủy ban nhân dân thành phố ------------------------------------------------
    Q(
        50,
        "HP-HB",
        "dau-tu-doanh-nghiep",
        "Lý Thị Thu Hà",
        "Đăng ký hộ kinh doanh quán cà phê nhỏ tại quận Hồng Bàng",
        """Tôi muốn mở một quán cà phê nhỏ tại nhà ở phường Hoàng Văn Thụ, quận Hồng Bàng. Xin hỏi tôi phải đăng ký
        hộ kinh doanh ở đâu, hồ sơ gồm những gì? Ngoài ra có cần giấy chứng nhận an toàn thực phẩm không?""",
        """Bà nộp hồ sơ đăng ký hộ kinh doanh tại Bộ phận tiếp nhận và trả kết quả của quận Hồng Bàng hoặc trực
        tuyến. Hồ sơ gồm giấy đề nghị đăng ký hộ kinh doanh, bản sao giấy tờ pháp lý của chủ hộ và biên bản họp thành
        viên hộ gia đình nếu các thành viên cùng góp vốn. Thời hạn giải quyết được ghi trên giấy tiếp nhận.

        Cơ sở kinh doanh dịch vụ ăn uống quy mô nhỏ được quản lý về an toàn thực phẩm theo hình thức phù hợp với
        quy mô; bà liên hệ Phòng Y tế quận để được hướng dẫn về giấy chứng nhận hoặc bản cam kết bảo đảm an toàn thực
        phẩm. Bà cũng lưu ý không sử dụng vỉa hè trái phép để kinh doanh.""",
    ),
    Q(
        51,
        "HP-LC",
        "giao-thong",
        "Trương Văn Lâm",
        "Hàng quán lấn chiếm vỉa hè, người đi bộ phải đi xuống lòng đường",
        """Đoạn vỉa hè trước nhà tôi ở số 46 phố Tô Hiệu bị các hàng quán bày bàn ghế, để xe kín từ chiều đến khuya,
        người đi bộ và học sinh phải đi xuống lòng đường rất nguy hiểm. Tôi đã phản ánh với tổ dân phố nhưng chưa được
        giải quyết. Đề nghị quận xử lý dứt điểm.""",
        """Ủy ban nhân dân quận Lê Chân đã chỉ đạo Ủy ban nhân dân phường và lực lượng trật tự đô thị kiểm tra đoạn
        vỉa hè ông phản ánh. Qua kiểm tra, có 5 hộ kinh doanh sử dụng vỉa hè vượt phạm vi cho phép; lực lượng chức năng
        đã lập biên bản, yêu cầu thu dọn và xử phạt theo quy định.

        Quận đã giao Ủy ban nhân dân phường duy trì kiểm tra thường xuyên, nhất là buổi tối, và công khai kết quả
        xử lý. Khi phát hiện vi phạm, người dân có thể phản ánh qua đường dây nóng của phường hoặc ứng dụng phản ánh
        hiện trường của thành phố.""",
        redact=("số 46 phố Tô Hiệu",),
    ),
    Q(
        52,
        "HP-NQ",
        "ho-tich-tu-phap",
        "Mai Văn Sang",
        "Xin giấy xác nhận tình trạng hôn nhân để mua nhà",
        """Tôi đang làm thủ tục mua căn hộ chung cư, ngân hàng yêu cầu giấy xác nhận tình trạng hôn nhân. Tôi thường
        trú ở phường Lạch Tray, quận Ngô Quyền nhưng trước đây từng tạm trú ở Hà Nội vài năm. Xin hỏi tôi xin giấy ở đâu
        và có phải xác minh ở Hà Nội không?""",
        """Giấy xác nhận tình trạng hôn nhân được cấp tại Ủy ban nhân dân cấp xã nơi ông thường trú, tức Ủy ban nhân
        dân phường Lạch Tray. Ông có thể nộp trực tiếp hoặc trực tuyến trên Cổng dịch vụ công.

        Trường hợp người yêu cầu đã từng cư trú ở nhiều nơi, cơ quan đăng ký hộ tịch có thể đề nghị người đó cam
        đoan về tình trạng hôn nhân trong thời gian cư trú ở nơi khác, hoặc tra cứu cơ sở dữ liệu hộ tịch điện tử; chỉ
        xác minh khi cần thiết. Giấy xác nhận có giá trị trong thời hạn nhất định kể từ ngày cấp và chỉ dùng đúng mục
        đích ghi trên giấy.""",
    ),
    Q(
        53,
        "HP-TN",
        "dat-dai",
        "Đồng Văn Thịnh",
        "Giá bồi thường đất nông nghiệp khi thu hồi làm dự án được tính thế nào?",
        """Gia đình tôi có khoảng 1.000 m² đất trồng lúa ở huyện Thủy Nguyên nằm trong phạm vi thu hồi của một dự án
        đường giao thông. Xin hỏi giá bồi thường đất được tính theo giá nào, ngoài tiền đất thì gia đình có được hỗ trợ
        chuyển đổi nghề không?""",
        """Giá đất để tính bồi thường khi Nhà nước thu hồi đất là giá đất cụ thể do Ủy ban nhân dân có thẩm quyền
        quyết định tại thời điểm phê duyệt phương án bồi thường, được xác định trên cơ sở bảng giá đất và thông tin giá
        thị trường theo quy định hiện hành.

        Ngoài bồi thường về đất, hộ gia đình trực tiếp sản xuất nông nghiệp bị thu hồi đất còn được xem xét hỗ trợ
        ổn định đời sống, hỗ trợ đào tạo, chuyển đổi nghề và tìm kiếm việc làm, bồi thường chi phí đầu tư vào đất và cây
        trồng trên đất. Phương án bồi thường, hỗ trợ được niêm yết công khai tại trụ sở Ủy ban nhân dân xã và nhà
        văn hóa
        thôn để người dân góp ý trước khi phê duyệt.

        Nếu có ý kiến về phương án, ông gửi ý kiến bằng văn bản đến Ủy ban nhân dân xã hoặc Trung tâm Phát triển
        quỹ đất huyện trong thời gian niêm yết.""",
    ),
    Q(
        54,
        "HP-CH",
        "xay-dung",
        "Phạm Thị Hải Yến",
        "Xây homestay ở thị trấn Cát Bà có bị giới hạn chiều cao không?",
        """Tôi có mảnh đất ở thị trấn Cát Bà và muốn xây nhà 5 tầng để làm homestay cho khách du lịch. Xin hỏi khu
        vực này có quy định riêng về chiều cao, mật độ xây dựng không? Thủ tục xin phép xây dựng nộp ở đâu?""",
        """Thị trấn Cát Bà nằm trong khu vực có yêu cầu quản lý chặt chẽ về cảnh quan, kiến trúc. Chiều cao, mật độ
        xây dựng, khoảng lùi của công trình phải tuân thủ quy hoạch chi tiết và quy chế quản lý kiến trúc đã được phê
        duyệt cho từng khu vực; ở một số tuyến phố, số tầng tối đa có thể thấp hơn dự định của chị.

        Chị nên đề nghị cung cấp thông tin quy hoạch của thửa đất tại Phòng Kinh tế và Hạ tầng huyện Cát Hải trước
        khi thiết kế. Hồ sơ đề nghị cấp giấy phép xây dựng nộp tại Bộ phận một cửa của huyện; nếu công trình dùng làm cơ
        sở lưu trú du lịch, chị cần bảo đảm thêm các yêu cầu về phòng cháy, chữa cháy.""",
    ),
    Q(
        55,
        "HP-KA",
        "giao-duc",
        "Nguyễn Thị Kim Dung",
        "Đăng ký cho con vào lớp 1 ngoài tuyến tại quận Kiến An",
        """Gia đình tôi thường trú ở phường Bắc Sơn nhưng tôi làm việc gần một trường tiểu học ở phường khác trong
        quận Kiến An. Xin hỏi con tôi có được đăng ký vào lớp 1 ở trường gần nơi tôi làm việc không?""",
        """Tuyển sinh lớp 1 trên địa bàn quận thực hiện theo kế hoạch hằng năm; trẻ được phân tuyến theo nơi cư trú
        để bảo đảm mọi trẻ trong độ tuổi đều có chỗ học. Với học sinh ngoài tuyến, nhà trường chỉ xem xét tiếp nhận khi
        còn chỉ tiêu sau khi đã tuyển đủ học sinh trong tuyến.

        Chị theo dõi thông báo tuyển sinh của Phòng Giáo dục và Đào tạo quận Kiến An; trong thời gian tuyển sinh
        trực tuyến, chị đăng ký trong tuyến để bảo đảm suất học cho con, đồng thời liên hệ trường chị mong muốn để biết
        khả năng tiếp nhận học sinh ngoài tuyến.""",
    ),
    Q(
        56,
        "HP-UBND",
        "xay-dung",
        "Kiều Văn Bảo",
        "Tra cứu quy hoạch chung của thành phố ở đâu?",
        """Tôi muốn tìm hiểu định hướng phát triển các khu đô thị mới của thành phố để cân nhắc mua đất ở. Xin hỏi đồ
        án quy hoạch chung thành phố được công bố ở đâu, người dân có thể xem bản đồ chi tiết không?""",
        """Đồ án quy hoạch chung thành phố sau khi được phê duyệt đã được công bố công khai theo quy định: nội dung
        và bản vẽ chính được đăng tải trên Cổng thông tin điện tử thành phố và trang thông tin của Sở Xây dựng, đồng
        thời
        trưng bày tại trụ sở cơ quan quản lý quy hoạch.

        Để biết thông tin quy hoạch của một thửa đất cụ thể, người dân tra cứu trên hệ thống thông tin quy hoạch
        trực tuyến của thành phố hoặc đề nghị cung cấp thông tin quy hoạch tại Ủy ban nhân dân quận, huyện nơi có đất.
        Ủy ban nhân dân thành phố khuyến nghị người dân tìm hiểu kỹ thông tin quy hoạch và tình trạng pháp lý trước khi
        giao dịch mua bán đất.""",
    ),
]

# Questions still in the work: mostly at the demo agency, so its staff panel has something in every state.
IN_PROGRESS: list[DemoQuestion] = [
    Q(
        101,
        "HP-STNMT",
        "dat-dai",
        "Hà Văn Tùng",
        "Đất nông nghiệp hết thời hạn sử dụng có phải làm thủ tục gia hạn không?",
        """Gia đình tôi được giao đất trồng lúa từ năm 1993, trên giấy chứng nhận ghi thời hạn sử dụng đã hết. Xin
        hỏi gia đình tôi có phải làm thủ tục gia hạn không, hay được tự động tiếp tục sử dụng?""",
        state="unverified",
    ),
    Q(
        102,
        "HP-STNMT",
        "dat-dai",
        "Nguyễn Văn Phong",
        "Mua đất bằng giấy viết tay từ năm 2005 có được cấp sổ không?",
        """Năm 2005 tôi mua một mảnh đất 80 m² ở huyện An Dương, chỉ có giấy viết tay giữa hai bên, người bán nay đã
        chuyển đi nơi khác, không liên lạc được. Tôi đã xây nhà ở ổn định từ đó đến nay. Xin hỏi tôi có được cấp giấy
        chứng nhận quyền sử dụng đất không và cần những giấy tờ gì?""",
        state="submitted",
    ),
    Q(
        103,
        "HP-STNMT",
        "giao-duc",
        "Trần Thị Hậu",
        "Chỉ tiêu tuyển sinh lớp 6 trường trung học cơ sở chất lượng cao",
        """Con tôi chuẩn bị thi vào lớp 6. Xin hỏi năm nay trường trung học cơ sở chất lượng cao của thành phố tuyển
        bao nhiêu chỉ tiêu, thi những môn nào và khi nào nộp hồ sơ?""",
        state="submitted",
    ),
    Q(
        104,
        "HP-STNMT",
        "moi-truong",
        "Lê Văn Cảnh",
        "Khói từ bãi đốt rác tự phát gây ô nhiễm khu dân cư",
        """Ở cuối thôn tôi tại xã Lê Thiện, huyện An Dương có một bãi đất trống bị đổ rác và đốt tự phát gần như
        hằng ngày, khói bay vào nhà dân, nhiều trẻ nhỏ bị ho. Đề nghị cơ quan chức năng kiểm tra và có phương án thu gom
        rác cho thôn. Điện thoại của tôi: 0978 000 314.""",
        state="submitted",
    ),
    Q(
        105,
        "HP-STNMT",
        "dat-dai",
        "Phạm Văn Đông",
        "Diện tích đo thực tế lớn hơn diện tích ghi trên giấy chứng nhận",
        """Khi đo đạc lại để chuẩn bị chuyển nhượng, diện tích thực tế thửa đất của tôi là 112 m², trong khi giấy
        chứng nhận chỉ ghi 100 m². Ranh giới thửa đất không thay đổi từ khi được cấp giấy, không có tranh chấp với các
        hộ xung quanh. Xin hỏi phần diện tích chênh lệch có được cấp bổ sung không, và có phải nộp tiền sử dụng đất cho
        phần này không?""",
        state="accepted",
    ),
    Q(
        106,
        "HP-STNMT",
        "dat-dai",
        "Hoàng Thị Hiền",
        "Cây ăn quả trên đất bị thu hồi được bồi thường thế nào?",
        """Vườn nhà tôi có hơn 60 cây nhãn và vải đang cho thu hoạch, nằm trong diện thu hồi đất làm dự án khu dân
        cư ở huyện Thủy Nguyên. Biên bản kiểm đếm ghi nhiều cây là “cây mới trồng” trong khi thực tế cây đã hơn 10 năm
        tuổi. Xin hỏi gia đình tôi có thể đề nghị kiểm đếm lại không và đơn giá bồi thường cây trồng áp dụng theo văn
        bản nào?""",
        state="accepted_overdue",
    ),
    Q(
        107,
        "HP-STNMT",
        "dat-dai",
        "Vũ Văn Hưởng",
        "Làm sao biết thửa đất có nằm trong quy hoạch mở rộng đường?",
        """Tôi đang định mua một thửa đất mặt đường tỉnh lộ ở huyện An Lão, nghe nói đoạn đường này sắp được mở
        rộng. Xin hỏi làm sao để biết thửa đất có nằm trong phạm vi quy hoạch mở rộng đường không?""",
        state="information_requested",
        note="""Để trả lời chính xác, đề nghị ông bổ sung bản chụp giấy chứng nhận quyền sử dụng đất (trang có sơ đồ
        thửa đất) hoặc số tờ bản đồ, số thửa, và cho biết thửa đất thuộc xã nào của huyện An Lão.""",
    ),
    Q(
        108,
        "HP-STNMT",
        "dat-dai",
        "Đinh Thị Thoa",
        "Thừa kế đất đai khi bố mẹ mất không để lại di chúc",
        """Bố mẹ tôi mất không để lại di chúc, để lại một thửa đất ở đã có giấy chứng nhận mang tên bố mẹ. Gia đình
        có 4 anh chị em, đã thống nhất để tôi đứng tên. Xin hỏi thủ tục khai nhận di sản và đăng ký sang tên cho tôi làm
        thế nào?""",
        """Trường hợp người để lại di sản không có di chúc, di sản được chia theo pháp luật cho những người thừa kế
        ở hàng thừa kế thứ nhất. Các đồng thừa kế có thể lập văn bản thỏa thuận phân chia di sản, trong đó các anh
        chị em
        khác nhường phần của mình để bà đứng tên; văn bản này phải được công chứng hoặc chứng thực.

        Sau khi có văn bản công chứng, bà nộp hồ sơ đăng ký biến động tại Văn phòng Đăng ký đất đai kèm giấy chứng
        nhận gốc, giấy chứng tử của bố mẹ và giấy tờ chứng minh quan hệ nhân thân. Việc nhận thừa kế giữa cha mẹ và con
        được miễn thuế thu nhập cá nhân và lệ phí trước bạ theo quy định hiện hành.""",
        state="in_review",
    ),
    Q(
        109,
        "HP-STNMT",
        "moi-truong",
        "Lê Thị Quỳnh",
        "Nước thải từ cơ sở chế biến thủy sản chảy ra mương thủy lợi",
        """Gần ruộng nhà tôi có một cơ sở chế biến thủy sản xả nước thải có mùi hôi ra mương thủy lợi, nước mương
        chuyển màu đen, lúa ven mương bị ảnh hưởng. Đề nghị Sở kiểm tra việc xả thải của cơ sở này.""",
        """Sở Tài nguyên và Môi trường đã phối hợp với Ủy ban nhân dân huyện và xã kiểm tra, lấy mẫu nước thải tại
        cửa xả của cơ sở. Kết quả phân tích cho thấy một số chỉ tiêu vượt quy chuẩn kỹ thuật quốc gia về nước thải.

        Sở đã đề nghị xử phạt vi phạm hành chính đối với cơ sở, buộc cơ sở dừng xả thải ra mương, cải tạo hệ thống
        xử lý nước thải và khắc phục ô nhiễm trong thời hạn được giao. Sở sẽ kiểm tra lại việc khắc phục và thông
        báo kết
        quả đến chính quyền địa phương.""",
        state="approved",
    ),
    Q(
        110,
        "HP-STNMT",
        "dat-dai",
        "Nguyễn Đức Thắng",
        "Thời hạn giải quyết thủ tục cấp giấy chứng nhận lần đầu",
        """Tôi nộp hồ sơ đề nghị cấp giấy chứng nhận quyền sử dụng đất lần đầu tại bộ phận một cửa huyện Vĩnh Bảo đã
        hơn hai tháng mà chưa có kết quả, cán bộ chỉ hẹn lại. Xin hỏi thời hạn giải quyết thủ tục này là bao lâu và tôi
        cần liên hệ ai để biết hồ sơ đang vướng ở đâu? Số điện thoại của tôi là 0962 000 731.""",
        """Thời hạn giải quyết thủ tục đăng ký, cấp giấy chứng nhận lần đầu được niêm yết tại Bộ phận tiếp nhận và
        trả kết quả; thời hạn này không tính thời gian niêm yết công khai, thời gian người sử dụng đất thực hiện
        nghĩa vụ
        tài chính và thời gian bổ sung hồ sơ. Khi quá hạn, cơ quan giải quyết phải có văn bản xin lỗi và hẹn lại thời
        gian trả kết quả.

        Sở đã đề nghị Chi nhánh Văn phòng Đăng ký đất đai huyện Vĩnh Bảo kiểm tra hồ sơ của ông. Theo báo cáo, hồ sơ
        đang chờ Ủy ban nhân dân xã bổ sung xác nhận nguồn gốc sử dụng đất; Chi nhánh sẽ liên hệ trực tiếp với ông trong
        tuần này. Ông cũng có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ trên Cổng dịch vụ công.""",
        state="answered",
    ),
    Q(
        111,
        "HP-STNMT",
        "dat-dai",
        "Đào Văn Kiên",
        "Người vay tiền không trả, tôi có được sang tên sổ đỏ họ đưa giữ không?",
        """Một người hàng xóm vay tôi 200 triệu đồng và đưa giấy chứng nhận quyền sử dụng đất cho tôi giữ làm tin,
        nay đã quá hạn hai năm vẫn không trả. Xin hỏi tôi có được làm thủ tục sang tên thửa đất đó cho mình không?""",
        state="rejected",
        note="""Nội dung ông hỏi là tranh chấp về hợp đồng vay tài sản, thuộc thẩm quyền giải quyết của Tòa án nhân
        dân; việc giữ giấy chứng nhận không làm phát sinh quyền sang tên thửa đất. Ông có thể liên hệ Trung tâm Trợ giúp
        pháp lý nhà nước hoặc tổ chức hành nghề luật sư để được tư vấn.""",
    ),
    Q(
        112,
        "HP-STNMT",
        "dat-dai",
        "Lương Thị Duyên",
        "Hồ sơ đăng ký biến động cần bản sao chứng thực hay bản chính?",
        """Khi nộp hồ sơ đăng ký biến động sau khi nhận chuyển nhượng đất, tôi cần nộp bản chính hay bản sao có chứng
        thực các giấy tờ tùy thân?""",
        state="withdrawn",
        note="Tôi đã được cán bộ bộ phận một cửa hướng dẫn trực tiếp, xin rút câu hỏi.",
    ),
    # The demo citizen's own questions (logged in, verified: they skip the e-mail confirmation).
    Q(
        113,
        "HP-STNMT",
        "dat-dai",
        "Nguyễn Thị Lan Anh",
        "Xây nhà trên đất trồng cây lâu năm có được không?",
        """Gia đình tôi có 300 m² đất trồng cây lâu năm ở huyện Thủy Nguyên, muốn xây một ngôi nhà nhỏ để ở. Xin hỏi
        tôi có được xây nhà trên loại đất này không, nếu phải chuyển mục đích thì thủ tục thế nào?""",
        """Đất trồng cây lâu năm là đất nông nghiệp; xây nhà ở trên đất nông nghiệp khi chưa được cơ quan có thẩm
        quyền cho phép chuyển mục đích sử dụng đất là vi phạm, có thể bị xử phạt và buộc khôi phục tình trạng ban đầu
        của đất.

        Để xây nhà, bà cần làm thủ tục chuyển mục đích sử dụng đất sang đất ở. Điều kiện trước hết là thửa đất nằm
        trong khu vực được phép chuyển mục đích theo kế hoạch sử dụng đất hằng năm của huyện Thủy Nguyên. Bà nộp đơn kèm
        giấy chứng nhận tại Bộ phận một cửa của huyện; khi được chấp thuận và đã nộp tiền sử dụng đất, bà làm tiếp thủ
        tục cấp phép xây dựng nếu thuộc trường hợp phải có giấy phép.""",
        state="answered",
        mine=True,
        consent=False,
    ),
    Q(
        114,
        "HP-SGDDT",
        "giao-duc",
        "Nguyễn Thị Lan Anh",
        "Trường tổ chức ôn thi vào lớp 10 buổi chiều và thu tiền theo buổi có đúng không?",
        """Trường trung học cơ sở của con tôi tổ chức ôn thi vào lớp 10 vào buổi chiều và thu tiền theo buổi. Xin
        hỏi việc tổ chức dạy thêm trong nhà trường như vậy hiện nay có đúng quy định không?""",
        state="submitted",
        mine=True,
    ),
    # Other agencies' work: staff of the demo agency must not see these.
    Q(
        115,
        "HP-SXD",
        "xay-dung",
        "Phan Thị Thủy",
        "Xây nhà ở nông thôn có phải xin giấy phép xây dựng không?",
        """Gia đình tôi ở một xã của huyện Vĩnh Bảo, muốn xây nhà 2 tầng trên đất ở đã có giấy chứng nhận. Xin hỏi
        nhà ở tại nông thôn có phải xin giấy phép xây dựng không?""",
        state="submitted",
    ),
    Q(
        116,
        "HP-SYT",
        "y-te",
        "Tô Văn Đạt",
        "Khám sức khỏe để đi làm việc ở nước ngoài làm ở đâu?",
        """Tôi chuẩn bị đi làm việc ở nước ngoài theo hợp đồng, công ty môi giới yêu cầu giấy khám sức khỏe. Xin hỏi
        ở Hải Phòng những cơ sở nào được khám sức khỏe cho người đi lao động ở nước ngoài?""",
        state="accepted",
    ),
    Q(
        117,
        "HP-SLDTBXH",
        "lao-dong-viec-lam",
        "Quách Thị Hoài",
        "Làm thêm giờ vào ngày nghỉ lễ được trả lương thế nào?",
        """Công ty yêu cầu tôi làm việc vào ngày nghỉ lễ Quốc khánh vừa qua. Xin hỏi tiền lương làm thêm giờ vào
        ngày nghỉ lễ được tính thế nào, công ty có được bố trí nghỉ bù thay cho việc trả lương không?""",
        """Người lao động làm thêm giờ vào ngày nghỉ lễ, tết được trả lương ở mức cao hơn so với làm thêm vào ngày
        thường và ngày nghỉ hằng tuần, chưa kể tiền lương của ngày lễ mà người lao động vẫn được hưởng theo quy định
        hiện
        hành về lao động.

        Việc bố trí nghỉ bù thay cho trả lương làm thêm giờ chỉ thực hiện khi có thỏa thuận với người lao động và
        không trái quy định. Nếu công ty không trả đúng, bà có thể đề nghị công đoàn cơ sở can thiệp hoặc phản ánh tới
        Sở Lao động - Thương binh và Xã hội.""",
        state="in_review",
    ),
]
