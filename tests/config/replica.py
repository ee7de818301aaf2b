"""A PostgreSQL streaming replica of a private cluster (tests/config/outage.py), made by pg_basebackup.

Both live in temporary directories on ports 17000–17999 and are removed by the
test; the machine's own PostgreSQL is never used for replication.
"""

from .outage import PostgresCluster, free_port

PORTS = (17000, 17499)


class PrimaryCluster(PostgresCluster):
    """A private primary that streams its WAL to replicas (initdb's pg_hba.conf trusts local replication)."""

    extra_options = "-c wal_level=replica -c max_wal_senders=5 -c wal_keep_size=64MB"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
            f"-c fsync=off -c synchronous_commit=off {self.extra_options}"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")


class StreamingReplica(PrimaryCluster):
    """pg_basebackup -R of `primary`; every statement it runs is logged, so a test sees which reads it served."""

    extra_options = "-c hot_standby=on -c log_statement=all -c log_min_duration_statement=-1"

    def __init__(self, primary: PostgresCluster, port: int) -> None:
        super().__init__(port)
        self.primary = primary

    def init(self) -> None:
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",
            "-X",
            "stream",
            "--no-sync",
            "--checkpoint=fast",  # the default spreads the start checkpoint over minutes
            timeout=120,
        )

    def statements(self) -> list[str]:
        """The statements logged so far (one per `statement:` line)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line.split("statement: ", 1)[1] for line in text.splitlines() if "statement: " in line]

    def sql(self, statement: str):
        import psycopg

        with psycopg.connect(self.url("hoidap"), autocommit=True) as conn:
            return conn.execute(statement).fetchone()


def make_pair(migrate) -> tuple[PrimaryCluster, StreamingReplica]:
    """A migrated primary and its replica, both running. `migrate(url)` prepares the primary's database."""
    primary = PrimaryCluster(free_port(*PORTS))
    replica = None
    try:
        primary.init()
        primary.start()
        primary.createdb()
        migrate(primary.url())
        replica = StreamingReplica(primary, free_port(*PORTS))
        replica.init()
        replica.start()
        return primary, replica
    except BaseException:
        if replica is not None:
            replica.remove()
        primary.remove()
        raise


def wait_replayed(primary: PostgresCluster, replica: StreamingReplica, timeout: float = 30) -> bool:
    """True once the replica has replayed everything the primary had written when this was called."""
    import time

    import psycopg

    with psycopg.connect(primary.url("postgres"), autocommit=True) as conn:
        (lsn,) = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(replica.url("postgres"), autocommit=True) as conn:
            (done,) = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()
        if done:
            return True
        time.sleep(0.1)
    return False
