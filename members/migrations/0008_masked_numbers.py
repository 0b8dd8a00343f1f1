"""Masked copies of ID and phone numbers beside the encrypted ones (core.fields.MaskedCopyField), filled for the
members already on record: each number decrypted once here, so that lists and exports need not do it per row."""

from django.db import migrations

import core.fields

BATCH = 2000


def fill(apps, schema_editor):
    PartyMember = apps.get_model("members", "PartyMember")
    members = PartyMember.objects.only("pk", "id_number", "phone").order_by("pk")
    batch = []
    for member in members.iterator(chunk_size=BATCH):
        member.masked_id_number = core.fields.masked("id_number", member.id_number)
        member.masked_phone = core.fields.masked("phone", member.phone)
        batch.append(member)
        if len(batch) == BATCH:
            PartyMember.objects.bulk_update(batch, ["masked_id_number", "masked_phone"])
            batch = []
    if batch:
        PartyMember.objects.bulk_update(batch, ["masked_id_number", "masked_phone"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_merge_national_fields_and_standing_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpartymember",
            name="masked_id_number",
            field=core.fields.MaskedCopyField(
                blank=True,
                default="",
                editable=False,
                mask="id_number",
                max_length=40,
                source="id_number",
                verbose_name="身份证号（遮盖）",
            ),
        ),
        migrations.AddField(
            model_name="historicalpartymember",
            name="masked_phone",
            field=core.fields.MaskedCopyField(
                blank=True,
                default="",
                editable=False,
                mask="phone",
                max_length=40,
                source="phone",
                verbose_name="联系电话（遮盖）",
            ),
        ),
        migrations.AddField(
            model_name="partymember",
            name="masked_id_number",
            field=core.fields.MaskedCopyField(
                blank=True,
                default="",
                editable=False,
                mask="id_number",
                max_length=40,
                source="id_number",
                verbose_name="身份证号（遮盖）",
            ),
        ),
        migrations.AddField(
            model_name="partymember",
            name="masked_phone",
            field=core.fields.MaskedCopyField(
                blank=True,
                default="",
                editable=False,
                mask="phone",
                max_length=40,
                source="phone",
                verbose_name="联系电话（遮盖）",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
