
import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import django.db.models.lookups
import simple_history.models
import township.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('activity', '0007_input_bounds'),
        ('groups', '0012_merge_input_bounds'),
        ('members', '0005_input_bounds'),
        ('township', '0003_award_same_person_setting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalMonthlyTheme',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='address')),
                ('month', models.DateField(verbose_name='月份')),
                ('title', models.CharField(max_length=200, verbose_name='主题')),
                ('materials', models.TextField(blank=True, max_length=2000, verbose_name='学习材料和要求')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('published_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人')),
                ('township', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='township.township', verbose_name='乡镇')),
            ],
            options={
                'verbose_name': 'historical 主题党日月度主题',
                'verbose_name_plural': 'historical 主题党日月度主题',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalOrgLifeSettings',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='address')),
                ('assembly', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='quarter', max_length=8, verbose_name='支部党员大会')),
                ('committee', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='month', max_length=8, verbose_name='支部委员会')),
                ('group', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='month', max_length=8, verbose_name='党小组会')),
                ('lecture', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='quarter', max_length=8, verbose_name='党课')),
                ('theme_day', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='month', max_length=8, verbose_name='主题党日')),
                ('life', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='year', max_length=8, verbose_name='组织生活会')),
                ('talk', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='year', max_length=8, verbose_name='谈心谈话（与每名党员）')),
                ('study_hours_target', models.DecimalField(decimal_places=1, default=Decimal('32'), max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('1')), django.core.validators.MaxValueValidator(Decimal('200'))], verbose_name='每名党员每年学习学时')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('township', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='township.township', verbose_name='乡镇')),
            ],
            options={
                'verbose_name': 'historical 组织生活设置',
                'verbose_name_plural': 'historical 组织生活设置',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Meeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('assembly', '支部党员大会'), ('committee', '支部委员会'), ('group', '党小组会'), ('lecture', '党课'), ('theme_day', '主题党日'), ('life', '组织生活会'), ('talk', '谈心谈话')], max_length=12, verbose_name='会议类型')),
                ('held_on', models.DateField(verbose_name='日期')),
                ('place', models.CharField(blank=True, max_length=100, verbose_name='地点')),
                ('topic', models.CharField(max_length=200, verbose_name='议题')),
                ('content', models.TextField(blank=True, max_length=2000, verbose_name='内容')),
                ('decisions', models.TextField(blank=True, max_length=2000, verbose_name='决定事项')),
                ('study_hours', models.DecimalField(decimal_places=1, default=Decimal('0'), max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('24'))], verbose_name='计入学时')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                ('host', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.partymember', verbose_name='主持人')),
                ('party_group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='groups.partygroup', verbose_name='党小组')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                ('recorder', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.partymember', verbose_name='记录人')),
                ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orglife_meetings', to='activity.monthlyreport', verbose_name='月度报告')),
                ('talk_with', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.partymember', verbose_name='谈话对象')),
                ('village', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='township.village', verbose_name='村党支部')),
            ],
            options={
                'verbose_name': '组织生活会议',
                'verbose_name_plural': '组织生活会议',
                'ordering': ['-held_on', '-pk'],
            },
            bases=(township.models.ConstraintErrorsOnFields, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalVote',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='address')),
                ('subject', models.CharField(max_length=200, verbose_name='表决事项')),
                ('entitled', models.PositiveSmallIntegerField(verbose_name='有表决权的正式党员')),
                ('attending', models.PositiveSmallIntegerField(verbose_name='到会的正式党员')),
                ('votes_for', models.PositiveSmallIntegerField(verbose_name='赞成')),
                ('votes_against', models.PositiveSmallIntegerField(verbose_name='反对')),
                ('abstaining', models.PositiveSmallIntegerField(verbose_name='弃权')),
                ('is_valid', models.BooleanField(verbose_name='表决有效')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orglife.meeting', verbose_name='会议')),
            ],
            options={
                'verbose_name': 'historical 表决',
                'verbose_name_plural': 'historical 表决',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalAttendance',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='address')),
                ('presence', models.CharField(choices=[('present', '出席'), ('remote', '远程参加'), ('absent', '缺席')], default='present', max_length=8, verbose_name='出席情况')),
                ('reason', models.CharField(blank=True, choices=[('sick', '病假'), ('away_work', '外出务工'), ('personal', '事假'), ('other', '其他')], max_length=10, verbose_name='缺席原因')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.partymember', verbose_name='党员')),
                ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orglife.meeting', verbose_name='会议')),
            ],
            options={
                'verbose_name': 'historical 出席记录',
                'verbose_name_plural': 'historical 出席记录',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='MonthlyTheme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='月份')),
                ('title', models.CharField(max_length=200, verbose_name='主题')),
                ('materials', models.TextField(blank=True, max_length=2000, verbose_name='学习材料和要求')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人')),
                ('township', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='township.township', verbose_name='乡镇')),
            ],
            options={
                'verbose_name': '主题党日月度主题',
                'verbose_name_plural': '主题党日月度主题',
                'ordering': ['-month'],
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='theme',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='orglife.monthlytheme', verbose_name='月度主题'),
        ),
        migrations.CreateModel(
            name='HistoricalMeeting',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='address')),
                ('kind', models.CharField(choices=[('assembly', '支部党员大会'), ('committee', '支部委员会'), ('group', '党小组会'), ('lecture', '党课'), ('theme_day', '主题党日'), ('life', '组织生活会'), ('talk', '谈心谈话')], max_length=12, verbose_name='会议类型')),
                ('held_on', models.DateField(verbose_name='日期')),
                ('place', models.CharField(blank=True, max_length=100, verbose_name='地点')),
                ('topic', models.CharField(max_length=200, verbose_name='议题')),
                ('content', models.TextField(blank=True, max_length=2000, verbose_name='内容')),
                ('decisions', models.TextField(blank=True, max_length=2000, verbose_name='决定事项')),
                ('study_hours', models.DecimalField(decimal_places=1, default=Decimal('0'), max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('24'))], verbose_name='计入学时')),
                ('recorded_at', models.DateTimeField(blank=True, editable=False, verbose_name='登记时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('host', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.partymember', verbose_name='主持人')),
                ('party_group', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='groups.partygroup', verbose_name='党小组')),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                ('recorder', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.partymember', verbose_name='记录人')),
                ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='activity.monthlyreport', verbose_name='月度报告')),
                ('talk_with', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.partymember', verbose_name='谈话对象')),
                ('village', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='township.village', verbose_name='村党支部')),
                ('theme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orglife.monthlytheme', verbose_name='月度主题')),
            ],
            options={
                'verbose_name': 'historical 组织生活会议',
                'verbose_name_plural': 'historical 组织生活会议',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='OrgLifeSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('assembly', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='quarter', max_length=8, verbose_name='支部党员大会')),
                ('committee', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='month', max_length=8, verbose_name='支部委员会')),
                ('group', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='month', max_length=8, verbose_name='党小组会')),
                ('lecture', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='quarter', max_length=8, verbose_name='党课')),
                ('theme_day', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='month', max_length=8, verbose_name='主题党日')),
                ('life', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='year', max_length=8, verbose_name='组织生活会')),
                ('talk', models.CharField(choices=[('month', '每月'), ('quarter', '每季度'), ('year', '每年')], default='year', max_length=8, verbose_name='谈心谈话（与每名党员）')),
                ('study_hours_target', models.DecimalField(decimal_places=1, default=Decimal('32'), max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('1')), django.core.validators.MaxValueValidator(Decimal('200'))], verbose_name='每名党员每年学习学时')),
                ('township', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='orglife_settings', to='township.township', verbose_name='乡镇')),
            ],
            options={
                'verbose_name': '组织生活设置',
                'verbose_name_plural': '组织生活设置',
            },
        ),
        migrations.CreateModel(
            name='Vote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(max_length=200, verbose_name='表决事项')),
                ('entitled', models.PositiveSmallIntegerField(verbose_name='有表决权的正式党员')),
                ('attending', models.PositiveSmallIntegerField(verbose_name='到会的正式党员')),
                ('votes_for', models.PositiveSmallIntegerField(verbose_name='赞成')),
                ('votes_against', models.PositiveSmallIntegerField(verbose_name='反对')),
                ('abstaining', models.PositiveSmallIntegerField(verbose_name='弃权')),
                ('is_valid', models.BooleanField(verbose_name='表决有效')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='orglife.meeting', verbose_name='会议')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
            ],
            options={
                'verbose_name': '表决',
                'verbose_name_plural': '表决',
                'ordering': ['meeting', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('presence', models.CharField(choices=[('present', '出席'), ('remote', '远程参加'), ('absent', '缺席')], default='present', max_length=8, verbose_name='出席情况')),
                ('reason', models.CharField(blank=True, choices=[('sick', '病假'), ('away_work', '外出务工'), ('personal', '事假'), ('other', '其他')], max_length=10, verbose_name='缺席原因')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.partymember', verbose_name='党员')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='orglife.meeting', verbose_name='会议')),
            ],
            options={
                'verbose_name': '出席记录',
                'verbose_name_plural': '出席记录',
                'ordering': ['meeting', 'member__name'],
                'indexes': [models.Index(fields=['member', 'presence'], name='attendance_member_idx')],
                'constraints': [models.UniqueConstraint(fields=('meeting', 'member'), name='attendance_once_per_meeting'), models.CheckConstraint(condition=models.Q(models.Q(('presence', 'absent'), models.Q(('reason', ''), _negated=True)), models.Q(models.Q(('presence', 'absent'), _negated=True), ('reason', '')), _connector='OR'), name='attendance_reason_only_when_absent')],
            },
        ),
        migrations.AddConstraint(
            model_name='monthlytheme',
            constraint=models.UniqueConstraint(fields=('township', 'month'), name='theme_one_per_township_month', violation_error_message='这个月已经发布了主题：一个月只有一个主题。'),
        ),
        migrations.AddConstraint(
            model_name='monthlytheme',
            constraint=models.CheckConstraint(condition=models.Q(('month__day', 1)), name='theme_month_first_day'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['village', 'held_on'], name='meeting_village_day_idx'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(('talk_with__isnull', True), models.Q(('talk_with', models.F('host')), _negated=True), _connector='OR'), name='meeting_talk_not_with_oneself', violation_error_message='谈心谈话是两个人之间的：谈话人和谈话对象不能是同一个人。'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'group'), _negated=True), ('party_group__isnull', False), _connector='OR'), name='meeting_group_has_group', violation_error_message='党小组会要选是哪个党小组开的。'),
        ),
        migrations.AddConstraint(
            model_name='vote',
            constraint=models.CheckConstraint(condition=models.Q(('attending__lte', models.F('entitled'))), name='vote_attending_within_entitled'),
        ),
        migrations.AddConstraint(
            model_name='vote',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('votes_for'), '+', models.F('votes_against')), '+', models.F('abstaining')), models.F('attending')), name='vote_not_more_than_attending'),
        ),
    ]
