
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('township', '0003_award_same_person_setting'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaltownship',
            name='secretaries_need_second_factor',
            field=models.BooleanField(default=False, help_text='勾选后，本乡各村的党支部书记和党小组长登录时除密码外还须输入手机验证器应用的验证码（乡镇及以上账号一律须用）。未勾选时，他们可以自愿设置。', verbose_name='村党支部书记和党小组长登录须用手机验证码'),
        ),
        migrations.AddField(
            model_name='township',
            name='secretaries_need_second_factor',
            field=models.BooleanField(default=False, help_text='勾选后，本乡各村的党支部书记和党小组长登录时除密码外还须输入手机验证器应用的验证码（乡镇及以上账号一律须用）。未勾选时，他们可以自愿设置。', verbose_name='村党支部书记和党小组长登录须用手机验证码'),
        ),
    ]
