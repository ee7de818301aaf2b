"""The staff queue of an agency with 100,000 questions in every state, against one with 1,000.

Both agencies get the same requests (queue page and staff API: default tab, other
tabs, a deep page, a search, a filter); the query counts must be the same for the
two, which is what "constant" means, and the big one must stay within the target.
"""

import time
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.management import call_command

from .stack import Server, Timed

BIG = ("HP-SDL", "so-du-lich", "Sở Du lịch")
SMALL = ("HP-SNV", "so-noi-vu", "Sở Nội vụ")


@dataclass
class StaffResult:
    big_rows: int
    small_rows: int
    generate_s: float
    kinds: dict = field(default_factory=dict)  # "big:queue_web" -> Timed.run() result


def _agency_and_user(code: str, slug: str, name: str):
    from accounts.models import Agency, Membership, User

    agency, _ = Agency.objects.get_or_create(code=code, defaults={"slug": slug, "name": name})
    user, _ = User.objects.get_or_create(
        email=f"bench-staff-{slug}@example.vn", defaults={"full_name": f"Cán bộ {name}", "email_verified": True}
    )
    for role in ("moderator", "answerer"):
        Membership.objects.get_or_create(user=user, agency=agency, role=role)
    return agency, user


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _paths(prefix: str, count: int) -> dict[str, list[str]]:
    web = [
        "/staff/",
        "/staff/?tab=in_progress",
        "/staff/?tab=all&sort=newest&page=3",
        "/staff/?tab=answered&sort=updated",
        "/staff/?tab=all&q=" + quote("giấy chứng nhận"),
        "/staff/?tab=all&due=overdue",
    ]
    api = [
        "/api/v1/staff/questions/",
        "/api/v1/staff/questions/?tab=in_progress",
        "/api/v1/staff/questions/?tab=all&ordering=newest&page=3",
        "/api/v1/staff/questions/?tab=answered&ordering=updated",
        "/api/v1/staff/questions/?tab=all&q=" + quote("giấy chứng nhận"),
        "/api/v1/staff/questions/?tab=all&due=overdue",
    ]
    return {
        f"{prefix}:queue_web": [web[i % len(web)] for i in range(count)],
        f"{prefix}:queue_api": [api[i % len(api)] for i in range(count)],
    }


def run(database: str, *, big: int, small: int, per_kind: int) -> StaffResult:
    from qa.models import Question

    big_agency, big_user = _agency_and_user(*BIG)
    small_agency, small_user = _agency_and_user(*SMALL)
    started = time.monotonic()
    for agency, rows in ((big_agency, big), (small_agency, small)):
        missing = rows - Question.objects.filter(agency=agency).count()
        if missing > 0:
            # Indexes stay: the archive already holds many rows (auto would decide the same).
            call_command(
                "generate_archive",
                questions=missing,
                states="all",
                agency=agency.code,
                drop_indexes="auto",
                verbosity=0,
            )
    result = StaffResult(
        big_rows=Question.objects.filter(agency=big_agency).count(),
        small_rows=Question.objects.filter(agency=small_agency).count(),
        generate_s=time.monotonic() - started,
    )
    server = Server(database, label="staff")
    try:
        for prefix, user in (("small", small_user), ("big", big_user)):
            timed = Timed(server.base, headers={"Cookie": f"sessionid={session_cookie(user)}"})
            paths = _paths(prefix, per_kind)
            timed.run([p[0] for p in paths.values()] * 2)
            for kind, kind_paths in paths.items():
                result.kinds[kind] = timed.run(kind_paths)
            timed.close()
    finally:
        server.stop()
    return result
