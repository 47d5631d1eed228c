"""Salt and digests escrowed only by the enterprise's choice.

Every deposit made before this migration left its salt and digests with the platform, so it
counts as escrowed (the column is added with True for existing rows, then defaults to False):
its enterprise may export its receipts and then have the platform forget them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='deposit',
            name='escrowed',
            field=models.BooleanField(default=True, verbose_name='salt and digests escrowed'),
        ),
        migrations.AlterField(
            model_name='deposit',
            name='escrowed',
            field=models.BooleanField(default=False, verbose_name='salt and digests escrowed'),
        ),
        migrations.AddField(
            model_name='deposit',
            name='receipt_exported_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='receipt exported at'),
        ),
        migrations.AlterField(
            model_name='deposit',
            name='salt',
            field=models.CharField(blank=True, max_length=64, verbose_name='salt'),
        ),
        migrations.AlterField(
            model_name='deposit',
            name='sha256',
            field=models.CharField(blank=True, db_index=True, max_length=64, verbose_name='SHA-256'),
        ),
    ]
