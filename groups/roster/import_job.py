"""The reconciliation of an uploaded roster made as a job (audit/jobs.py): reading a county's file and planning each
row against the members on record takes seconds, so the upload stores the file (groups/roster/pending.py) and queues
this job; its progress page shows the sheet's rows read, and once done sends the person to the preview, which reads
the plan the job kept beside the file instead of reading the file again.

The plan is kept as JSON, encrypted like the file, in the same transaction that marks the job done (`Kind.keep`), so
a worker killed mid-way leaves no half plan: the job is queued again (or offers 重试) as every other job. A plan is
made for one person, in their reach and their language at the time: the preview looks for the job of this file, this
reach and this language, and starts a fresh one when there is none (the person's reach or language changed).
"""

from __future__ import annotations

import json
from typing import BinaryIO

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from audit.jobs import JobError, Kind, Progress, Scope, job_start, register
from audit.models import Job
from groups.roster.importing import Missing, Plan, Problem, RowPlan, read_roster
from groups.roster.jobs import roster_scope
from groups.roster.pending import pending_keep_plan, pending_plan, pending_read

ROSTER_IMPORT = "member_roster_import"
WRITE_PERMISSION = "members.write"
SCOPE_CHANGED = "您的可见范围已经变更，不能按原来的范围核对这份名册。请重新上传。"
FILE_GONE = "要核对的名册文件已经不在了（已导入、已放弃，或上传已超过一天）。请重新上传。"
FAILED = "核对名册时出错，没有核对完。请点“重试”；多次失败请联系系统管理员。"
INTERRUPTED = "核对过程被中断（服务器重启或处理进程停止），没有核对完。请点“重试”。"
PLAN_VERSION = 1


def import_scope(user) -> Scope | None:
    """Whose members the file is checked against: the importer's reach; None for someone who may not import."""
    if not user.has_perm(WRITE_PERMISSION):
        return None
    return roster_scope(user)


def import_job_start(*, user, token: str) -> Job:
    """Queue the reconciliation of this person's waiting file in their reach and language now (inline: done already)."""
    return job_start(user=user, kind=ROSTER_IMPORT, params={"token": token, "language": translation.get_language()})


def import_job_for(*, user, token: str) -> Job | None:
    """The latest reconciliation of this waiting file made for this person in their reach and language now."""
    scope = import_scope(user)
    if scope is None:
        return None
    jobs = Job.objects.filter(
        user=user, kind=ROSTER_IMPORT, scope=scope.key, params__token=token, params__language=translation.get_language()
    )
    return jobs.order_by("-created_at").first()


def import_plan(job: Job) -> Plan | None:
    """The plan a finished job kept beside its waiting file; None when there is none (not done, the file gone)."""
    if job.state != Job.State.DONE:
        return None
    data = pending_plan(user=job.user, token=job.params.get("token", ""), job_id=job.pk)
    if data is None:
        return None
    stored = json.loads(data)
    return plan_load(stored) if stored.get("version") == PLAN_VERSION else None


def import_run(job: Job, stream: BinaryIO, progress: Progress) -> str:
    """Read the job's waiting file and plan every row for its person, written to `stream` as JSON."""
    user = job.user
    scope = import_scope(user)
    if scope is None or scope.key != job.scope:
        raise JobError(SCOPE_CHANGED)
    data = pending_read(user=user, token=job.params.get("token", ""))
    if data is None:
        raise JobError(FILE_GONE)
    progress(0, None)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):  # the messages, as asked
        plan = read_roster(data, user, progress=progress)
    stream.write(json.dumps(plan_dump(plan), ensure_ascii=False).encode())
    read = max((r.row for r in plan.rows), default=0)
    progress(read, read)
    return "核对结果.json"


def import_keep(job: Job, encrypted: bytes) -> None:
    pending_keep_plan(user=job.user, token=job.params.get("token", ""), job_id=job.pk, encrypted=encrypted)


# --- the plan as JSON: what the preview shows, nothing more (the confirmation reads the file again) -----------------


def plan_dump(plan: Plan) -> dict:
    return {
        "version": PLAN_VERSION,
        "file_problems": [str(p) for p in plan.file_problems],
        "rows": [
            {
                "row": r.row,
                "village": r.village_name,
                "group": r.group_name,
                "name": r.name,
                "id": r.id_masked,
                "new": r.is_new,
                "changed": list(r.changed),
                "group_change": r.group_change,
                "problems": [[p.row, p.column, p.letter, str(p.message)] for p in r.problems],
                "village_id": r.village_id,
                "diffs": [[str(h), str(old), str(new)] for h, old, new in r.diffs],
                "held": str(r.held),
            }
            for r in plan.rows
        ],
        "missing": [[m.village_name, m.name, m.id_masked] for m in plan.missing],
    }


def plan_load(stored: dict) -> Plan:
    rows = [
        RowPlan(
            row=r["row"],
            village_name=r["village"],
            group_name=r["group"],
            name=r["name"],
            id_masked=r["id"],
            is_new=r["new"],
            changed=r["changed"],
            group_change=r["group_change"],
            problems=[Problem(*p) for p in r["problems"]],
            village_id=r["village_id"],
            diffs=[tuple(d) for d in r["diffs"]],
            held=r["held"],
        )
        for r in stored["rows"]
    ]
    missing = [Missing(*m) for m in stored["missing"]]
    return Plan(rows=rows, file_problems=stored["file_problems"], missing=missing)


def register_kind() -> None:
    register(
        Kind(
            name=ROSTER_IMPORT,
            label="党员名册导入核对",
            scope_of=lambda user, params: import_scope(user),
            run=import_run,
            back_url=lambda params: reverse("roster:import"),
            keep=import_keep,
            result_url=lambda job: reverse("roster:import-preview"),
            doing="核对",
            failed_message=FAILED,
            interrupted_message=INTERRUPTED,
        )
    )
