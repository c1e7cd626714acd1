"""An account's maximum of sessions open at once (ENG-6), next to its maximum of roles; empty: the platform's
session rule (AUT-6)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('authorization', '0010_activation_constraints'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='accountlimit',
            options={'verbose_name': "limites d'un compte", 'verbose_name_plural': 'limites des comptes'},
        ),
        migrations.AddField(
            model_name='accountlimit',
            name='max_sessions',
            field=models.PositiveIntegerField(blank=True, help_text='Vide : la règle de la plateforme (une seule session à la fois).', null=True, verbose_name='nombre maximal de sessions ouvertes en même temps'),
        ),
    ]
