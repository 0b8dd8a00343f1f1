"""Prove that a database built by an older layout of the code migrates to this one with every row where it was.

    python scripts/check_layout_migration.py [OLD_COMMIT] [--server postgres://postgres@127.0.0.1:5432]
                                             [--database NAME] [--replace] [--keep]

1. creates a fresh PostgreSQL database NAME (default `layout_check`; `--replace` drops one left from an earlier run);
2. checks OLD_COMMIT (default e65bd07, the commit before the code moved into config/ core/ dashboards/ seeding/)
   out into a temporary git worktree and runs its `manage.py migrate` and `manage.py seed_demo` on that database;
3. records every table (by its PostgreSQL oid, which survives a rename but not a drop and re-create) with its row
   count, every index's oid, and every villager group's stored fund balance beside the sum of its ledger entries;
4. runs this checkout's `manage.py migrate` on the same database and records them again;
5. fails (exit 1) if a table was dropped (its oid is gone), if any table's row count changed, or if any villager
   group's balance or ledger sum changed. A table renamed by a model moving app is fine (reported), as are new
   tables, and new rows in django_migrations (one per migration applied by step 4, checked by name). Indexes
   re-created (same name, new oid) or gone are listed, not failed: a migration may mean to.

The database is dropped at the end when everything matched (kept on a failure, or with --keep, for a look).
Both layouts run with DEBUG=True and the same freshly generated secrets (the encrypted fields must read back), with
the Python running this script (the project's virtualenv). The old seeder dates its data from the real date.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OLD = "e65bd07"
VILLAGER_GROUPS = "groups_villagergroup"  # as named in the old layout; found again by oid in the new one
LEDGER = "groups_fundentry"
MIGRATIONS = "django_migrations"


def log(message: str) -> None:
    print(message, flush=True)


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607


def run(args: list[str], *, cwd: Path, env: dict[str, str], label: str) -> None:
    started = time.monotonic()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-8000:])
        raise SystemExit(f"FAILED: {label} (exit {done.returncode})")
    log(f"  {label}: ok ({time.monotonic() - started:.0f} s)")


def snapshot(url: str, villager_groups: str, ledger: str) -> dict:
    """Tables {oid: (name, rows)}, applied migrations, and {villager group id: (stored balance, ledger sum)}."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        ).fetchall()
        counts = {
            oid: (name, conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()[0])
            for oid, name in tables
        }
        indexes = dict(
            conn.execute(
                "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('i', 'I')"
            ).fetchall()
        )
        applied = {
            tuple(r) for r in conn.execute(sql.SQL("SELECT app, name FROM {}").format(sql.Identifier(MIGRATIONS)))
        }
        balances = conn.execute(
            sql.SQL(
                "SELECT g.id, g.fund_balance, COALESCE(SUM(CASE WHEN e.direction = 'income' THEN e.amount "
                "ELSE -e.amount END), 0) FROM {} g LEFT JOIN {} e ON e.villager_group_id = g.id GROUP BY g.id"
            ).format(sql.Identifier(villager_groups), sql.Identifier(ledger))
        ).fetchall()
    return {
        "tables": counts,
        "indexes": indexes,
        "migrations": applied,
        "balances": {gid: (Decimal(stored), Decimal(summed)) for gid, stored, summed in balances},
    }


def compare(before: dict, after: dict) -> list[str]:
    """Every difference that is a failure (empty: the rows all came through)."""
    problems = []
    for oid, (name, rows) in before["tables"].items():
        if oid not in after["tables"]:
            problems.append(f"table {name} is gone (dropped, or dropped and re-created: no table has oid {oid})")
            continue
        new_name, new_rows = after["tables"][oid]
        if new_name != name:
            log(f"  renamed: {name} → {new_name} ({rows} rows)")
        if name == MIGRATIONS:
            continue  # grows by the migrations applied, checked by name below
        if new_rows != rows:
            problems.append(f"table {name}{f' (now {new_name})' if new_name != name else ''}: {rows} rows → {new_rows}")
    lost = before["migrations"] - after["migrations"]
    if lost:
        problems.append(f"applied migrations no longer recorded: {sorted(lost)}")
    if len(after["migrations"]) != len(before["migrations"] | after["migrations"]):
        problems.append("applied migrations recorded twice")
    for gid, values in before["balances"].items():
        if after["balances"].get(gid) != values:
            problems.append(f"villager group {gid}: (balance, ledger sum) {values} → {after['balances'].get(gid)}")
    for gid in after["balances"].keys() - before["balances"].keys():
        problems.append(f"villager group {gid} appeared")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", nargs="?", default=DEFAULT_OLD, help=f"commit-ish of the old layout ({DEFAULT_OLD})")
    parser.add_argument("--server", default=os.environ.get("LAYOUT_CHECK_SERVER", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="layout_check", help="name of the database to create (layout_check)")
    parser.add_argument("--replace", action="store_true", help="drop the database first if it exists")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    commit = git("rev-parse", "--verify", f"{args.old}^{{commit}}")
    if commit.returncode != 0:
        raise SystemExit(f"Not a commit: {args.old}")
    commit = commit.stdout.strip()
    server = args.server.rstrip("/")
    url = f"{server}/{args.database}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if exists and not args.replace:
            raise SystemExit(f"Database {args.database} exists; pass --replace to drop it, or name another.")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.database)))
    log(f"Fresh database {args.database}; old layout {args.old} ({commit[:10]}), new layout {ROOT}")

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # each manage.py names its own
    env.update(
        DATABASE_URL=url,
        DEBUG="True",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        FIELD_HASH_KEY=secrets.token_urlsafe(32),
        OTP_REQUIRED="False",
        PYTHONDONTWRITEBYTECODE="1",
    )
    password = f"Layout-{secrets.token_urlsafe(9)}-1"
    python = sys.executable
    ok = False
    old_tree = Path(tempfile.mkdtemp(prefix="layout-old-")) / "tree"
    try:
        added = git("worktree", "add", "--quiet", "--detach", str(old_tree), commit)
        if added.returncode != 0:
            raise SystemExit(f"git worktree add failed: {added.stderr.strip()}")
        log("Old layout:")
        run([python, "manage.py", "migrate", "--no-input"], cwd=old_tree, env=env, label="migrate")
        run(
            [python, "manage.py", "seed_demo", "--if-empty", "--password", password],
            cwd=old_tree,
            env=env,
            label="seed_demo",
        )
        before = snapshot(url, VILLAGER_GROUPS, LEDGER)

        log("New layout:")
        run([python, "manage.py", "migrate", "--no-input"], cwd=ROOT, env=env, label="migrate")
        oid_of = {name: oid for oid, (name, _rows) in before["tables"].items()}
        with psycopg.connect(url, autocommit=True) as conn:
            names = dict(conn.execute("SELECT oid, relname FROM pg_class WHERE oid = ANY(%s)", [list(oid_of.values())]))
        after = snapshot(url, names.get(oid_of[VILLAGER_GROUPS], "?"), names.get(oid_of[LEDGER], "?"))

        problems = compare(before, after)
        new_tables = sorted(name for oid, (name, _rows) in after["tables"].items() if oid not in before["tables"])
        applied = sorted(f"{app}.{name}" for app, name in after["migrations"] - before["migrations"])
        rows = sum(r for name, r in before["tables"].values() if name != MIGRATIONS)
        unequal = [g for g, (stored, summed) in before["balances"].items() if stored != summed]
        total = sum(stored for stored, _summed in before["balances"].values())
        log("Summary:")
        log(f"  tables before {len(before['tables'])}, after {len(after['tables'])}; new: {new_tables or 'none'}")
        log(f"  rows compared {rows} (every table but {MIGRATIONS})")
        log(f"  migrations applied by the new layout: {', '.join(applied) or 'none'}")
        rebuilt = sorted(n for n, oid in before["indexes"].items() if after["indexes"].get(n, oid) != oid)
        gone = sorted(before["indexes"].keys() - after["indexes"].keys())
        log(
            f"  indexes before {len(before['indexes'])}, after {len(after['indexes'])}; re-created: {rebuilt or 'none'}"
        )
        log(f"  indexes gone: {gone or 'none'}")
        log(f"  villager groups {len(before['balances'])}, balances total {total} yuan")
        if unequal:
            log(f"  note: before the move {len(unequal)} villager groups' stored balance differs from their ledger")
        for problem in problems:
            log(f"  DIFFERENCE: {problem}")
        ok = not problems
        log("OK: every table kept its rows and every balance its value." if ok else "FAILED: see the differences.")
        return 0 if ok else 1
    finally:
        git("worktree", "remove", "--force", str(old_tree))
        shutil.rmtree(old_tree.parent, ignore_errors=True)
        if ok and not args.keep:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(args.database)))
        else:
            log(f"Database {args.database} kept for a look.")


if __name__ == "__main__":
    sys.exit(main())
