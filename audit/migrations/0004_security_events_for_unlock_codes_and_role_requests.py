
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_merge_submissions_and_month_events'),
    ]

    operations = [
        migrations.AlterField(
            model_name='securityevent',
            name='action',
            field=models.CharField(choices=[('login', 'login'), ('login_failed', 'login failed'), ('lockout', 'account locked'), ('logout', 'logout'), ('password_changed', 'password changed'), ('otp_failed', 'two-factor code wrong'), ('otp_enrolled', 'two-factor set up'), ('access_denied', 'access denied'), ('export', 'export'), ('import', 'import'), ('reveal', 'personal data revealed'), ('role_changed', 'role changed'), ('account_changed', 'account changed'), ('account_disabled', 'account disabled'), ('year_decided', 'appraisal year decided'), ('year_reopened', 'appraisal year reopened'), ('month_reopened', 'monthly report reopened'), ('month_closed', '整村或全乡关闭月份'), ('report_withdrawn', '撤回已提交的报告'), ('unlocked', '解除登录锁定'), ('recovery_codes_issued', '重新生成恢复码'), ('role_requested', '申请授予角色或权限（待批准）'), ('role_approved', '批准授予角色或权限')], db_index=True, max_length=30, verbose_name='action'),
        ),
    ]
