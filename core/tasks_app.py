"""django-tasks-db (the job queue's table, audit/jobs.py) under a Chinese name in the admin's permission lists."""

from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务队列"
