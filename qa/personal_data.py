"""Personal data in free text: one place that finds it, redacts it and says whose it is.

Citizens write their name, phone, e-mail, address and ID numbers into the body of
a question although the form has fields for them. Everything that makes text
public (the public version of a question, the answer shown beside it) goes
through `find`: the redacted copy a moderator starts from comes from `redact`,
and publishing is refused while `blocking` still finds the asker's own data
(AskerContact) or an ID number, unless the official confirms each finding.

Detection is a helper, not a guarantee: patterns for Vietnamese names after a cue
("tôi là", "ông", "chị"...), phone numbers, e-mails, CCCD/CMND numbers, tax codes
and street addresses, plus a literal (diacritics-insensitive) search for each
value of the asker's contact. Findings carry the matched span so the panel can
highlight it and an API client can name it back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import AskerContact

REDACTED = "[đã ẩn]"

NAME = "name"
PHONE = "phone"
EMAIL = "email"
ID_NUMBER = "id_number"
TAX_CODE = "tax_code"
ADDRESS = "address"
ORGANISATION = "organisation"

KIND_LABELS = {
    NAME: _("a name"),
    PHONE: _("a phone number"),
    EMAIL: _("an e-mail address"),
    ID_NUMBER: _("an ID card number"),
    TAX_CODE: _("a tax code"),
    ADDRESS: _("an address"),
    ORGANISATION: _("the organisation's name"),
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: what kind, where, and whether it is the asker's own."""

    kind: str
    start: int
    end: int
    text: str
    own: bool = False  # the asker's own data (AskerContact), not just something that looks personal

    @property
    def blocking(self) -> bool:
        """Publishing waits for a confirmation: the asker's own data, or an ID number (whoever's it is)."""
        return self.own or self.kind == ID_NUMBER

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


# --- Helpers -----------------------------------------------------------------------------------


def _fold_char(ch: str) -> str:
    """One character, lower-cased and without its diacritics (đ→d): keeps positions, unlike qa.text.fold."""
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[:1].lower()
    return base if len(base) == 1 else ch


def _fold_keep_length(text: str) -> str:
    return "".join(_fold_char(ch) for ch in text)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _phone_core(value: str) -> str:
    """The national number without +84/84/0: "0912 345 678" and "+84 912.345.678" give "912345678"."""
    digits = _digits(value)
    if digits.startswith("84") and len(digits) >= 11:
        digits = digits[2:]
    return digits.lstrip("0")


def _is_upper_word(word: str) -> bool:
    return bool(word) and word[0].isupper() and word[0].isalpha()


def _folded_words(text: str) -> frozenset[str]:
    return frozenset(_fold_keep_length(w) for w in text.split())


# --- Patterns --------------------------------------------------------------------------------------

_NOT_MONEY = r"(?!\s*(?:đồng|đ\b|vnđ|vnd|m2|m²|%))"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Mobile (0 + 9 digits) and landline (0 + 10 digits), +84 / 84 instead of 0, grouped by spaces, dots or dashes;
# a landline's area code may be in brackets: (0225) 3842 123.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:(?:\+84|84)[\s.\-]?(?:\(0\)\s?)?|0)\d(?:[\s.\-]?\d){8,9}|\(0\d{2,3}\)\s?\d(?:[\s.\-]?\d){6,7})"
    r"(?![\d])" + _NOT_MONEY,
    re.IGNORECASE,
)
_CCCD = re.compile(r"(?<![\d\w.,])\d{12}(?![\d\w])" + _NOT_MONEY, re.IGNORECASE)
_CMND = re.compile(r"(?<![\d\w.,])\d{9}(?![\d\w])" + _NOT_MONEY, re.IGNORECASE)
_TAX_CODE = re.compile(r"(?<![\d\w.,])\d{10}(?:\s?[-–]\s?\d{3})?(?![\d\w])" + _NOT_MONEY, re.IGNORECASE)
_PHONE_CUE = re.compile(r"(?:điện thoại|đt|sđt|sdt|di động|zalo|hotline|liên hệ|gọi)\W{0,3}$", re.IGNORECASE)
_ID_CUE = re.compile(r"(?:cmnd|cccd|cmt|căn cước|chứng minh|hộ chiếu|định danh)[^\d\n]{0,15}$", re.IGNORECASE)
_TAX_CUE = re.compile(r"(?:mã số thuế|mst|mã số doanh nghiệp|msdn)\W{0,3}$", re.IGNORECASE)

# A name after a cue. "tôi là Lan" is enough; after an honorific ("ông", "chị") two capitalised words are needed,
# so "anh Hùng" or "bà Rịa" pass while "ông Nguyễn Văn Nam" does not.
_SELF_CUE = re.compile(
    r"\b(?:tên\s+tôi\s+là|tôi\s+tên\s+là|tôi\s+tên|tôi\s+là|em\s+là|cháu\s+là|con\s+là|mình\s+là"
    r"|họ\s+và\s+tên|họ\s+tên|người\s+hỏi)\s*:?\s*",
    re.IGNORECASE,
)
_HONORIFIC_CUE = re.compile(r"\b(?:ông|bà|anh|chị|cô|chú|bác|cụ|em|cháu)\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Capitalised words that start a title or a body, not a person's name.
_NOT_NAME_START = _folded_words(
    "Chủ Giám Phó Trưởng Sở Ủy Uỷ UBND Bộ Cục Chi Phòng Ban Tổng Thủ Bí Hội Công Tòa Toà Viện Trung Nhà "
    "Bệnh Trường Đảng Quận Huyện Tỉnh Thành Xã Phường Luật Nghị Thông Quyết Văn Điều Khoản Chính Quốc "
    "Việt Hà Hải Cán Chuyên Kế Thanh Kiểm Đội Công an Tôi Em Cháu Con"
)
_NAME_MAX_WORDS = 5

# Addresses: an anchor that is precise (house number, street with a number, hamlet, alley, "địa chỉ ...")
# extended over the following address words, stopping before the district and province (kept for context).
_ADDRESS_WORDS = (
    r"số\s+nhà|số|nhà|đường|phố|ngõ|ngách|hẻm|kiệt|tổ\s+dân\s+phố|tổ|thôn|xóm|ấp|bản|khu\s+phố|khu|phường|xã|"
    r"thị\s+trấn|kp|tdp|p\.|đ\."
)
_NUMBER = r"\d+[A-Za-z]?(?:[/\-]\d+[A-Za-z]?)*"
_ADDRESS_ANCHOR = re.compile(
    r"\b(?:"
    rf"số\s+nhà\s+{_NUMBER}"
    rf"|số\s+{_NUMBER}(?=\s*,?\s*(?:đường|phố|ngõ|ngách|hẻm|kiệt)\b)"
    rf"|(?<![\w/]){_NUMBER}(?=\s+(?:đường|phố|ngõ|ngách|hẻm|kiệt)\b)"
    rf"|(?:ngõ|ngách|hẻm|kiệt)\s+(?:số\s+)?{_NUMBER}"
    r"|căn\s+hộ\s+(?:số\s+)?[A-Za-z]{0,2}\d+[A-Za-z0-9/\-]*"
    r")",
    re.IGNORECASE,
)
# A hamlet, neighbourhood group or village by its number or name ("tổ 5", "thôn Đông Xá"), not "tổ chức".
_HAMLET = re.compile(r"\b(?:tổ\s+dân\s+phố|tổ|thôn|xóm|ấp)\s+(?:số\s+)?(\d+|[^\W\d_]+)", re.IGNORECASE)
# "27/3 Lê Lợi": a house number with a slash followed by a capitalised street name.
_SLASHED_HOUSE = re.compile(r"(?<![\w/])\d+[A-Za-z]?(?:/\d+[A-Za-z]?)+(?=\s+([^\W\d_]+))")
_ADDRESS_CUE = re.compile(
    r"\b(?:địa\s+chỉ(?:\s+(?:liên\s+hệ|thường\s+trú|nhà|của\s+tôi))?|thường\s+trú\s+tại|tạm\s+trú\s+tại"
    r"|cư\s+trú\s+tại|trú\s+tại|nhà\s+tôi\s+ở)\s*(?:là|tại|ở)?\s*:?\s*",
    re.IGNORECASE,
)
_ADDRESS_TOKEN = re.compile(
    rf"\s*,?\s*(?:(?:{_ADDRESS_WORDS})(?![\w])|{_NUMBER}(?![\w])|[A-Z]{{1,2}}\d+[A-Za-z0-9]*(?![\w])|[^\W\d_]+)",
    re.IGNORECASE,
)
_ADDRESS_STOP = _folded_words("quận huyện thị tỉnh thành tp q h và của để nay thì là có tôi xin hỏi muốn")
_ADDRESS_PRECISE = re.compile(rf"\d|\b(?:{_ADDRESS_WORDS})\b", re.IGNORECASE)


# --- Detectors -------------------------------------------------------------------------------------


def find_emails(text: str) -> list[Finding]:
    return [Finding(EMAIL, m.start(), m.end(), m.group(0)) for m in _EMAIL.finditer(text)]


def _digit_kind(text: str, start: int, default: str) -> str:
    before = text[max(0, start - 30) : start]
    if _ID_CUE.search(before):
        return ID_NUMBER
    if _TAX_CUE.search(before):
        return TAX_CODE
    if _PHONE_CUE.search(before):
        return PHONE
    return default


def find_numbers(text: str) -> list[Finding]:
    """Phone numbers, CCCD (12 digits), CMND (9 digits) and tax codes (10 digits, or 10-3 for a branch)."""
    found: list[Finding] = []
    for m in _CCCD.finditer(text):
        found.append(Finding(ID_NUMBER, m.start(), m.end(), m.group(0)))
    for m in _TAX_CODE.finditer(text):
        digits = _digits(m.group(0))
        looks_mobile = len(digits) == 10 and digits[:2] in {"03", "05", "07", "08", "09"}
        kind = _digit_kind(text, m.start(), PHONE if looks_mobile else TAX_CODE)
        found.append(Finding(kind, m.start(), m.end(), m.group(0)))
    for m in _PHONE.finditer(text):
        found.append(Finding(_digit_kind(text, m.start(), PHONE), m.start(), m.end(), m.group(0).rstrip()))
    for m in _CMND.finditer(text):
        found.append(Finding(_digit_kind(text, m.start(), ID_NUMBER), m.start(), m.end(), m.group(0)))
    return found


def _name_after(text: str, start: int, min_words: int) -> Finding | None:
    words: list[re.Match] = []
    position = start
    for m in _WORD.finditer(text, start):
        gap = text[position : m.start()]
        if gap.strip() or "\n" in gap:
            break
        if not _is_upper_word(m.group(0)) or len(words) == _NAME_MAX_WORDS:
            break
        words.append(m)
        position = m.end()
    if len(words) < min_words or _fold_keep_length(words[0].group(0)) in _NOT_NAME_START:
        return None
    return Finding(NAME, words[0].start(), words[-1].end(), text[words[0].start() : words[-1].end()])


def find_names(text: str) -> list[Finding]:
    """Vietnamese names introduced by a cue: "tôi là / tên tôi là X", "ông / bà / anh / chị X Y"."""
    found = []
    for cue, min_words in ((_SELF_CUE, 1), (_HONORIFIC_CUE, 2)):
        for m in cue.finditer(text):
            finding = _name_after(text, m.end(), min_words)
            if finding is not None:
                found.append(finding)
    return found


def _address_token(text: str, position: int) -> tuple[str, int] | None:
    m = _ADDRESS_TOKEN.match(text, position)
    return (m.group(0).strip(" ,"), m.end()) if m else None


def _is_place_word(token: str) -> bool:
    """A number ("15", "27/3", "B2") or a capitalised name word ("Lạch"): what follows an address word."""
    return bool(token) and (token[0].isdigit() or _is_upper_word(token))


def _extend_address(text: str, end: int) -> int:
    """Carry an address on over the words that belong to it (street, ward names); stop at the district.

    An address word ("phường", "ngõ") is taken only with the number or name after it, so "xã" in
    "nhà ở xã hội" or a trailing "phường" is never part of an address.
    """
    position = end
    while True:
        found = _address_token(text, position)
        if found is None:
            return position
        token, after = found
        if not token or _fold_keep_length(token.split()[0]) in _ADDRESS_STOP:
            return position
        if re.fullmatch(_ADDRESS_WORDS, token, re.IGNORECASE):
            following = _address_token(text, after)
            if following is None or not _is_place_word(following[0]):
                return position
        elif not _is_place_word(token):
            return position
        position = after


def find_addresses(text: str) -> list[Finding]:
    found = []
    for m in _ADDRESS_ANCHOR.finditer(text):
        end = _extend_address(text, m.end())
        found.append(Finding(ADDRESS, m.start(), end, text[m.start() : end]))
    for m in _HAMLET.finditer(text):
        if _is_place_word(m.group(1)):
            end = _extend_address(text, m.end())
            found.append(Finding(ADDRESS, m.start(), end, text[m.start() : end]))
    for m in _SLASHED_HOUSE.finditer(text):
        if _is_upper_word(m.group(1)):
            end = _extend_address(text, m.end())
            found.append(Finding(ADDRESS, m.start(), end, text[m.start() : end]))
    for m in _ADDRESS_CUE.finditer(text):
        end = _extend_address(text, m.end())
        span = text[m.end() : end]
        if span.strip() and _ADDRESS_PRECISE.search(span):
            found.append(Finding(ADDRESS, m.end(), end, span))
    return found


def _own_values(contact: AskerContact | None) -> list[tuple[str, str]]:
    if contact is None:
        return []
    values = [
        (NAME, contact.name),
        (EMAIL, contact.email),
        (PHONE, contact.phone),
        (ADDRESS, contact.address),
        (ORGANISATION, contact.organisation_name),
        (TAX_CODE, contact.tax_code),
    ]
    return [(kind, value.strip()) for kind, value in values if value and len(value.strip()) >= 3]


def _literal_spans(text: str, folded_text: str, value: str) -> Iterable[tuple[int, int]]:
    """Where `value` is written in `text`, ignoring case, diacritics and the spacing between words."""
    words = _fold_keep_length(value).split()
    if not words:
        return []
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(folded_text)]


def _is_own(finding: Finding, contact: AskerContact | None) -> bool:
    if contact is None:
        return False
    if finding.kind in (PHONE, TAX_CODE, ID_NUMBER):
        digits = _digits(finding.text)
        tax = _digits(contact.tax_code or "")
        phone = _phone_core(contact.phone or "")
        if tax and digits in {tax, tax[:10]}:
            return True
        return len(phone) >= 8 and _phone_core(finding.text) == phone
    if finding.kind == EMAIL and contact.email:
        return finding.text.casefold() == contact.email.strip().casefold()
    if finding.kind == NAME and contact.name:
        # "Lan" alone could be anyone; two or more words that end the asker's name are theirs ("Thị Lan").
        name_words = _fold_keep_length(contact.name).split()
        found_words = _fold_keep_length(finding.text).split()
        return len(found_words) >= min(2, len(name_words)) and name_words[-len(found_words) :] == found_words
    return False


def find(text: str, contact: AskerContact | None = None) -> list[Finding]:
    """Every personal datum found in `text`, in order, without overlaps (the asker's own data and longer spans win)."""
    if not text:
        return []
    folded_text = _fold_keep_length(text)
    candidates: list[Finding] = []
    for kind, value in _own_values(contact):
        if kind == PHONE:
            continue  # phones are found by pattern and compared by digits, however they are grouped
        for start, end in _literal_spans(text, folded_text, value):
            candidates.append(Finding(kind, start, end, text[start:end], own=True))
    for finding in [*find_emails(text), *find_numbers(text), *find_names(text), *find_addresses(text)]:
        candidates.append(
            Finding(finding.kind, finding.start, finding.end, finding.text, own=_is_own(finding, contact))
        )
    candidates.sort(key=lambda f: (f.start, -int(f.own), -(f.end - f.start)))
    chosen: list[Finding] = []
    for finding in candidates:
        if chosen and finding.start < chosen[-1].end:
            last = chosen[-1]
            # Keep the wider span; an overlap with the asker's own data makes the merged finding theirs.
            if finding.end > last.end:
                merged_own = last.own or finding.own
                kind = last.kind if last.own or not finding.own else finding.kind
                chosen[-1] = Finding(kind, last.start, finding.end, text[last.start : finding.end], merged_own)
            elif finding.own and not last.own:
                chosen[-1] = Finding(last.kind, last.start, last.end, last.text, True)
            continue
        chosen.append(finding)
    return chosen


def redact(text: str, contact: AskerContact | None = None, *, findings: list[Finding] | None = None) -> str:
    """`text` with every finding replaced by REDACTED (idempotent: the marker itself is never a finding)."""
    findings = find(text, contact) if findings is None else findings
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[: finding.start] + REDACTED + text[finding.end :]
    return text


def redact_own(text: str, contact: AskerContact | None) -> str:
    """Only the asker's own data replaced: for texts kept after an erasure, where the rest is not theirs."""
    return redact(text, contact, findings=[f for f in find(text, contact) if f.own])


def normalise_confirmation(value: str) -> str:
    """How a confirmed finding is compared: NFC, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFC", value or "").casefold().split())


def unconfirmed(findings: Iterable[Finding], confirmed: Iterable[str]) -> list[Finding]:
    """The blocking findings the official has not confirmed (by their matched text)."""
    accepted = {normalise_confirmation(c) for c in confirmed}
    return [f for f in findings if f.blocking and normalise_confirmation(f.text) not in accepted]


PUBLIC_TITLE_MAX = 200


def public_copy(title: str, body: str, contact: AskerContact | None) -> tuple[str, str]:
    """The public title and text a moderator starts from: the asker's words with personal data redacted."""
    return redact(title, contact)[:PUBLIC_TITLE_MAX], redact(body, contact)


# --- What a question would publish ------------------------------------------------------------------


@dataclass(frozen=True)
class FieldFinding:
    """A finding in one of the texts a question publishes: public_title, public_body or answer."""

    field: str
    finding: Finding

    def as_dict(self) -> dict:
        f = self.finding
        return {
            "field": self.field,
            "kind": f.kind,
            "label": f.label,
            "text": f.text,
            "start": f.start,
            "end": f.end,
            "own": f.own,
            "blocking": f.blocking,
        }


def publication_findings(question, *, public_title: str, public_body: str) -> list[FieldFinding]:
    """Everything personal in what publishing would show: the public title and text, and the answer."""
    from .sanitize import html_to_text

    contact = getattr(question, "contact", None) if question.pk else None
    answer = getattr(question, "answer", None)
    texts = {"public_title": public_title, "public_body": public_body}
    if answer is not None and answer.body:
        texts["answer"] = html_to_text(answer.body)
    return [FieldFinding(name, f) for name, text in texts.items() for f in find(text, contact)]


def check_publishable(
    question, *, public_title: str, public_body: str, confirmed: Iterable[str] = ()
) -> list[FieldFinding]:
    """Refuse (PersonalDataFound) while a blocking finding is not confirmed; return the confirmed ones.

    The caller records the kinds of what was confirmed (never the text) on the audit trail.
    """
    from core.errors import PersonalDataFound

    confirmed = list(confirmed)
    found = publication_findings(question, public_title=public_title, public_body=public_body)
    blocking = [ff for ff in found if ff.finding.blocking]
    missing = {id(f) for f in unconfirmed([ff.finding for ff in blocking], confirmed)}
    if missing:
        raise PersonalDataFound([ff.as_dict() for ff in blocking if id(ff.finding) in missing])
    return blocking
