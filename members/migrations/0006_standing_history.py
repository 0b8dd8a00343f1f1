import core.clock
import core.fields
import django.db.models.deletion
import members.validators
from django.conf import settings
from django.db import migrations, models

MOVED_NOTE = "由原“离开本支部日期”迁入：原记录未说明离开原因（转出或去世等），请据实补登。"


def left_on_into_history(apps, schema_editor):
    """Each member's old `left_on` becomes a change in the standing history, the status they had kept before it;
    the member's status becomes "left" (left_on stays, now as the history's cache)."""
    PartyMember = apps.get_model("members", "PartyMember")
    StandingChange = apps.get_model("members", "StandingChange")
    rows = []
    for m in PartyMember.objects.filter(left_on__isnull=False).only("pk", "status", "left_on").iterator():
        before = m.status if m.status in ("probationary", "full") else "full"
        rows.append(
            StandingChange(
                member_id=m.pk, kind="left", on=m.left_on, state_before=before, state_after="left", notes=MOVED_NOTE
            )
        )
    StandingChange.objects.bulk_create(rows, batch_size=1000)
    PartyMember.objects.filter(left_on__isnull=False).update(status="left")


def history_back_to_left_on(apps, schema_editor):
    """Back: the status before each moved change returns; the history's rows go with the tables."""
    PartyMember = apps.get_model("members", "PartyMember")
    StandingChange = apps.get_model("members", "StandingChange")
    for c in StandingChange.objects.filter(kind="left").iterator():
        PartyMember.objects.filter(pk=c.member_id).update(status=c.state_before, left_on=c.on)
    PartyMember.objects.filter(status__in=("left", "suspended")).update(status="full")


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_input_bounds'),
        ('township', '0003_award_same_person_setting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalpartymember',
            name='status',
            field=models.CharField(choices=[('probationary', 'probationary member'), ('full', 'full member'), ('suspended', '停止党籍'), ('left', '已不在本支部')], default='full', max_length=12, verbose_name='membership'),
        ),
        migrations.AlterField(
            model_name='partymember',
            name='status',
            field=models.CharField(choices=[('probationary', 'probationary member'), ('full', 'full member'), ('suspended', '停止党籍'), ('left', '已不在本支部')], default='full', max_length=12, verbose_name='membership'),
        ),
        migrations.CreateModel(
            name='AwaySpell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('province', models.CharField(max_length=20, verbose_name='外出省份')),
                ('city', models.CharField(help_text='地级市或自治州，如：成都市、广州市、昌吉回族自治州', max_length=30, verbose_name='外出城市')),
                ('workplace', models.CharField(max_length=100, verbose_name='工作单位或务工地点')),
                ('fixed_workplace', models.BooleanField(default=False, verbose_name='有固定工作单位')),
                ('since', models.DateField(verbose_name='外出日期')),
                ('returned_on', models.DateField(blank=True, null=True, verbose_name='返回日期')),
                ('phone', core.fields.EncryptedTextField(blank=True, validators=[members.validators.validate_phone], verbose_name='外出联系电话')),
                ('remote_participation', models.CharField(blank=True, help_text='如：微信群参加支部主题党日、视频参会', max_length=200, verbose_name='参加组织生活的方式')),
                ('recorded_at', models.DateTimeField(default=core.clock.now, verbose_name='登记时间')),
                ('contact_person', models.ForeignKey(blank=True, help_text='本支部负责与其联系的党员', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.partymember', verbose_name='支部联系人')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='away_spells', to='members.partymember', verbose_name='党员')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
            ],
            options={
                'verbose_name': '流动党员外出登记',
                'verbose_name_plural': '流动党员外出登记',
                'ordering': ['city', 'member__name', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='AwayContact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('on', models.DateField(verbose_name='联系日期')),
                ('how', models.CharField(choices=[('phone', '电话'), ('wechat', '微信'), ('visit', '当面（返乡或走访）'), ('letter', '书信'), ('other', '其他')], max_length=10, verbose_name='联系方式')),
                ('what', models.TextField(max_length=2000, verbose_name='联系内容')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                ('spell', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts', to='members.awayspell', verbose_name='外出登记')),
            ],
            options={
                'verbose_name': '流动党员联系记录',
                'verbose_name_plural': '流动党员联系记录',
                'ordering': ['-on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ReviewHandling',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('measure', models.CharField(choices=[('correct', '限期改正'), ('persuade', '劝退'), ('strike', '除名')], max_length=12, verbose_name='处置方式')),
                ('decided_on', models.DateField(verbose_name='决定日期')),
                ('deadline', models.DateField(blank=True, help_text='限期改正时填写，最长一年', null=True, verbose_name='改正期限')),
                ('decision', models.CharField(blank=True, max_length=200, verbose_name='决定')),
                ('document_no', models.CharField(blank=True, max_length=60, verbose_name='文号')),
                ('result', models.CharField(blank=True, choices=[('corrected', '已改正'), ('not_corrected', '逾期仍未改正')], max_length=16, verbose_name='改正结果')),
                ('result_on', models.DateField(blank=True, null=True, verbose_name='结果日期')),
                ('result_notes', models.TextField(blank=True, max_length=2000, verbose_name='结果说明')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                ('review', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='handling', to='members.annualreview', verbose_name='民主评议等次')),
            ],
            options={
                'verbose_name': '不合格党员处置',
                'verbose_name_plural': '不合格党员处置',
                'ordering': ['deadline', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='StandingChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('joined', '入党（预备党员）'), ('confirmed', '转正'), ('extended', '延长预备期'), ('cancelled', '取消预备资格'), ('transfer_in', '转入'), ('transfer_out', '转出'), ('died', '去世'), ('struck_off', '除名'), ('expelled', '开除党籍'), ('persuaded', '劝退'), ('lapsed', '自行脱党'), ('suspended', '停止党籍'), ('restored', '恢复党籍'), ('left', '离开本支部（原因未登记）')], max_length=12, verbose_name='变动')),
                ('on', models.DateField(verbose_name='日期')),
                ('state_before', models.CharField(choices=[('probationary', 'probationary member'), ('full', 'full member'), ('suspended', '停止党籍'), ('left', '已不在本支部')], max_length=12, verbose_name='变动前')),
                ('state_after', models.CharField(choices=[('probationary', 'probationary member'), ('full', 'full member'), ('suspended', '停止党籍'), ('left', '已不在本支部')], max_length=12, verbose_name='变动后')),
                ('decision', models.CharField(blank=True, help_text='如：支部大会决议、乡党委批复', max_length=200, verbose_name='决定')),
                ('document_no', models.CharField(blank=True, max_length=60, verbose_name='文号')),
                ('organisation', models.CharField(blank=True, help_text='组织关系转接时填写对方党组织的全称', max_length=100, verbose_name='转出（转入）党组织')),
                ('letter_no', models.CharField(blank=True, max_length=60, verbose_name='介绍信编号')),
                ('probation_until', models.DateField(blank=True, null=True, verbose_name='预备期满')),
                ('notes', models.TextField(blank=True, max_length=2000, verbose_name='说明')),
                ('recorded_at', models.DateTimeField(default=core.clock.now, verbose_name='登记时间')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='standing_changes', to='members.partymember', verbose_name='党员')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
            ],
            options={
                'verbose_name': '党籍变动',
                'verbose_name_plural': '党籍变动',
                'ordering': ['member', 'on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='StandingRules',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('probationary_may_be_excellent', models.BooleanField(default=False, help_text='默认不可：预备党员尚未转正，一般不参加优秀党员评选。', verbose_name='预备党员可评为优秀党员')),
                ('township', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='standing_rules', to='township.township', verbose_name='乡镇')),
            ],
            options={
                'verbose_name': '党籍规则',
                'verbose_name_plural': '党籍规则',
            },
        ),
        migrations.AddIndex(
            model_name='awayspell',
            index=models.Index(fields=['member', 'returned_on'], name='away_member_open_idx'),
        ),
        migrations.AddConstraint(
            model_name='awayspell',
            constraint=models.UniqueConstraint(condition=models.Q(('returned_on__isnull', True)), fields=('member',), name='away_one_open_spell', violation_error_message='该党员已有一条未返回的外出登记，请先登记返回。'),
        ),
        migrations.AddConstraint(
            model_name='awayspell',
            constraint=models.CheckConstraint(condition=models.Q(('returned_on__isnull', True), ('returned_on__gte', models.F('since')), _connector='OR'), name='away_returned_after_since', violation_error_message='返回日期不能早于外出日期。'),
        ),
        migrations.AddIndex(
            model_name='awaycontact',
            index=models.Index(fields=['spell', 'on'], name='away_contact_spell_on_idx'),
        ),
        migrations.AddConstraint(
            model_name='reviewhandling',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('deadline__gt', models.F('decided_on')), ('measure', 'correct')), models.Q(('measure', 'correct'), _negated=True), _connector='OR'), name='handling_deadline_for_correction', violation_error_message='限期改正须填写决定日期之后的改正期限。'),
        ),
        migrations.AddIndex(
            model_name='standingchange',
            index=models.Index(fields=['member', 'on'], name='standing_member_on_idx'),
        ),
        migrations.AddConstraint(
            model_name='standingchange',
            constraint=models.CheckConstraint(condition=models.Q(('probation_until__isnull', True), ('probation_until__gt', models.F('on')), _connector='OR'), name='standing_probation_after_change', violation_error_message='预备期满日期应在变动日期之后。'),
        ),
        migrations.RunPython(left_on_into_history, history_back_to_left_on),
    ]
