
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('township', '0004_township_may_require_second_factor_for_secretaries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RoleRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('role', '授予乡镇及以上角色或三员角色'), ('reveal', '授予查看完整号码的权限')], max_length=10, verbose_name='申请事项')),
                ('role', models.CharField(blank=True, choices=[('county_viewer', 'county viewer'), ('township_staff', 'township staff'), ('branch_secretary', 'branch secretary'), ('group_leader', 'party group leader'), ('auditor', 'security auditor'), ('account_admin', 'account administrator')], max_length=20, verbose_name='角色')),
                ('status', models.CharField(choices=[('pending', '待批准'), ('approved', '已批准')], db_index=True, default='pending', max_length=10, verbose_name='状态')),
                ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='申请时间')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='批准时间')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_requests', to=settings.AUTH_USER_MODEL, verbose_name='账号')),
                ('county', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='township.county', verbose_name='county')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批准人')),
                ('permission', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='auth.permission', verbose_name='权限')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
                ('township', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='township.township', verbose_name='township')),
            ],
            options={
                'verbose_name': '待批准的授权',
                'verbose_name_plural': '待批准的授权',
                'ordering': ['-requested_at', '-pk'],
            },
        ),
    ]
