
import core.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_input_bounds'),
        ('township', '0003_award_same_person_setting'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpartymember',
            name='category',
            field=models.CharField(blank=True, choices=[('farmer', '农牧渔民'), ('worker', '企业职工'), ('technician', '专业技术人员'), ('manager', '企业管理人员'), ('official', '党政机关工作人员'), ('institution', '事业单位人员'), ('self_employed', '个体工商户'), ('student', '学生'), ('retired', '离退休人员'), ('other', '其他')], max_length=16, verbose_name='category of person'),
        ),
        migrations.AddField(
            model_name='historicalpartymember',
            name='education',
            field=models.CharField(blank=True, choices=[('11', '博士研究生'), ('14', '硕士研究生'), ('21', '大学本科'), ('31', '大学专科'), ('41', '中等专科'), ('44', '职业高中'), ('47', '技工学校'), ('61', '普通高中'), ('71', '初中'), ('81', '小学及以下')], max_length=2, verbose_name='education'),
        ),
        migrations.AddField(
            model_name='historicalpartymember',
            name='ethnicity',
            field=models.CharField(blank=True, choices=[('01', '汉族'), ('02', '蒙古族'), ('03', '回族'), ('04', '藏族'), ('05', '维吾尔族'), ('06', '苗族'), ('07', '彝族'), ('08', '壮族'), ('09', '布依族'), ('10', '朝鲜族'), ('11', '满族'), ('12', '侗族'), ('13', '瑶族'), ('14', '白族'), ('15', '土家族'), ('16', '哈尼族'), ('17', '哈萨克族'), ('18', '傣族'), ('19', '黎族'), ('20', '傈僳族'), ('21', '佤族'), ('22', '畲族'), ('23', '高山族'), ('24', '拉祜族'), ('25', '水族'), ('26', '东乡族'), ('27', '纳西族'), ('28', '景颇族'), ('29', '柯尔克孜族'), ('30', '土族'), ('31', '达斡尔族'), ('32', '仫佬族'), ('33', '羌族'), ('34', '布朗族'), ('35', '撒拉族'), ('36', '毛南族'), ('37', '仡佬族'), ('38', '锡伯族'), ('39', '阿昌族'), ('40', '普米族'), ('41', '塔吉克族'), ('42', '怒族'), ('43', '乌孜别克族'), ('44', '俄罗斯族'), ('45', '鄂温克族'), ('46', '德昂族'), ('47', '保安族'), ('48', '裕固族'), ('49', '京族'), ('50', '塔塔尔族'), ('51', '独龙族'), ('52', '鄂伦春族'), ('53', '赫哲族'), ('54', '门巴族'), ('55', '珞巴族'), ('56', '基诺族')], max_length=2, verbose_name='ethnicity'),
        ),
        migrations.AddField(
            model_name='historicalpartymember',
            name='full_member_on',
            field=models.DateField(blank=True, null=True, verbose_name='date became a full member'),
        ),
        migrations.AddField(
            model_name='historicalpartymember',
            name='full_member_on_precision',
            field=models.CharField(choices=[('day', 'to the day'), ('month', 'to the month')], default='day', max_length=5, verbose_name='date became a full member known to'),
        ),
        migrations.AddField(
            model_name='historicalpartymember',
            name='home_address',
            field=core.fields.EncryptedTextField(blank=True, max_length=200, verbose_name='home address'),
        ),
        migrations.AddField(
            model_name='historicalpartymember',
            name='joined_on_precision',
            field=models.CharField(choices=[('day', 'to the day'), ('month', 'to the month')], default='day', max_length=5, verbose_name='date joined known to'),
        ),
        migrations.AddField(
            model_name='historicalpartymember',
            name='work_post',
            field=models.CharField(blank=True, max_length=60, verbose_name='work post'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='category',
            field=models.CharField(blank=True, choices=[('farmer', '农牧渔民'), ('worker', '企业职工'), ('technician', '专业技术人员'), ('manager', '企业管理人员'), ('official', '党政机关工作人员'), ('institution', '事业单位人员'), ('self_employed', '个体工商户'), ('student', '学生'), ('retired', '离退休人员'), ('other', '其他')], max_length=16, verbose_name='category of person'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='education',
            field=models.CharField(blank=True, choices=[('11', '博士研究生'), ('14', '硕士研究生'), ('21', '大学本科'), ('31', '大学专科'), ('41', '中等专科'), ('44', '职业高中'), ('47', '技工学校'), ('61', '普通高中'), ('71', '初中'), ('81', '小学及以下')], max_length=2, verbose_name='education'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='ethnicity',
            field=models.CharField(blank=True, choices=[('01', '汉族'), ('02', '蒙古族'), ('03', '回族'), ('04', '藏族'), ('05', '维吾尔族'), ('06', '苗族'), ('07', '彝族'), ('08', '壮族'), ('09', '布依族'), ('10', '朝鲜族'), ('11', '满族'), ('12', '侗族'), ('13', '瑶族'), ('14', '白族'), ('15', '土家族'), ('16', '哈尼族'), ('17', '哈萨克族'), ('18', '傣族'), ('19', '黎族'), ('20', '傈僳族'), ('21', '佤族'), ('22', '畲族'), ('23', '高山族'), ('24', '拉祜族'), ('25', '水族'), ('26', '东乡族'), ('27', '纳西族'), ('28', '景颇族'), ('29', '柯尔克孜族'), ('30', '土族'), ('31', '达斡尔族'), ('32', '仫佬族'), ('33', '羌族'), ('34', '布朗族'), ('35', '撒拉族'), ('36', '毛南族'), ('37', '仡佬族'), ('38', '锡伯族'), ('39', '阿昌族'), ('40', '普米族'), ('41', '塔吉克族'), ('42', '怒族'), ('43', '乌孜别克族'), ('44', '俄罗斯族'), ('45', '鄂温克族'), ('46', '德昂族'), ('47', '保安族'), ('48', '裕固族'), ('49', '京族'), ('50', '塔塔尔族'), ('51', '独龙族'), ('52', '鄂伦春族'), ('53', '赫哲族'), ('54', '门巴族'), ('55', '珞巴族'), ('56', '基诺族')], max_length=2, verbose_name='ethnicity'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='full_member_on',
            field=models.DateField(blank=True, null=True, verbose_name='date became a full member'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='full_member_on_precision',
            field=models.CharField(choices=[('day', 'to the day'), ('month', 'to the month')], default='day', max_length=5, verbose_name='date became a full member known to'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='home_address',
            field=core.fields.EncryptedTextField(blank=True, max_length=200, verbose_name='home address'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='joined_on_precision',
            field=models.CharField(choices=[('day', 'to the day'), ('month', 'to the month')], default='day', max_length=5, verbose_name='date joined known to'),
        ),
        migrations.AddField(
            model_name='partymember',
            name='work_post',
            field=models.CharField(blank=True, max_length=60, verbose_name='work post'),
        ),
        migrations.AddConstraint(
            model_name='partymember',
            constraint=models.CheckConstraint(condition=models.Q(('full_member_on__isnull', True), ('full_member_on__gte', models.F('joined_on')), _connector='OR'), name='member_full_after_joined', violation_error_message='The date of becoming a full member cannot be before the date joined.'),
        ),
    ]
