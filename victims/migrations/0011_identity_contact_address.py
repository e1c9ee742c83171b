"""HTCDS 2.0's core contact and mailing-address fields of a person in the victim's identity
[SPEC 2.3]: salutation, title, e-mail, home and mobile phone, and the address in parts. The
free-text address becomes the street (renamed, so every value and its history stay as they
were); "contact" stays, for what fits no phone or e-mail field."""

import django.core.validators
import django_countries.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('victims', '0010_victim_locations'),
    ]

    operations = [
        migrations.RenameField(model_name='victimidentity', old_name='address', new_name='mailing_street'),
        migrations.RenameField(model_name='historicalvictimidentity', old_name='address', new_name='mailing_street'),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='e-mail'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='home_phone',
            field=models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^[0-9 +\\-().]*[0-9][0-9 +\\-().]*$', 'Enter a phone number: digits, with only spaces, +, -, dots or parentheses between them (for example +351 912 345 678). Anything else goes in “other contact details”.', code='phone_number')], verbose_name='home phone'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='mailing_city',
            field=models.CharField(blank=True, max_length=100, verbose_name='city or town'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='mailing_country',
            field=django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='country of the address'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='mailing_postal_code',
            field=models.CharField(blank=True, max_length=20, verbose_name='postal code'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='mailing_state',
            field=models.CharField(blank=True, max_length=100, verbose_name='state / province / district'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='mobile_phone',
            field=models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^[0-9 +\\-().]*[0-9][0-9 +\\-().]*$', 'Enter a phone number: digits, with only spaces, +, -, dots or parentheses between them (for example +351 912 345 678). Anything else goes in “other contact details”.', code='phone_number')], verbose_name='mobile phone'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='salutation',
            field=models.CharField(blank=True, help_text='As the person wishes to be addressed: Ms, Mr, Mx...', max_length=40, verbose_name='salutation'),
        ),
        migrations.AddField(
            model_name='historicalvictimidentity',
            name='title',
            field=models.CharField(blank=True, help_text='A professional or honorific title, for example Dr.', max_length=100, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='e-mail'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='home_phone',
            field=models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^[0-9 +\\-().]*[0-9][0-9 +\\-().]*$', 'Enter a phone number: digits, with only spaces, +, -, dots or parentheses between them (for example +351 912 345 678). Anything else goes in “other contact details”.', code='phone_number')], verbose_name='home phone'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='mailing_city',
            field=models.CharField(blank=True, max_length=100, verbose_name='city or town'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='mailing_country',
            field=django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='country of the address'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='mailing_postal_code',
            field=models.CharField(blank=True, max_length=20, verbose_name='postal code'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='mailing_state',
            field=models.CharField(blank=True, max_length=100, verbose_name='state / province / district'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='mobile_phone',
            field=models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^[0-9 +\\-().]*[0-9][0-9 +\\-().]*$', 'Enter a phone number: digits, with only spaces, +, -, dots or parentheses between them (for example +351 912 345 678). Anything else goes in “other contact details”.', code='phone_number')], verbose_name='mobile phone'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='salutation',
            field=models.CharField(blank=True, help_text='As the person wishes to be addressed: Ms, Mr, Mx...', max_length=40, verbose_name='salutation'),
        ),
        migrations.AddField(
            model_name='victimidentity',
            name='title',
            field=models.CharField(blank=True, help_text='A professional or honorific title, for example Dr.', max_length=100, verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicalvictimidentity',
            name='contact',
            field=models.CharField(blank=True, help_text='What fits no phone or e-mail field: a messaging account, “through the NGO”...', max_length=300, verbose_name='other contact details'),
        ),
        migrations.AlterField(
            model_name='historicalvictimidentity',
            name='mailing_street',
            field=models.TextField(blank=True, verbose_name='street and number'),
        ),
        migrations.AlterField(
            model_name='victimidentity',
            name='contact',
            field=models.CharField(blank=True, help_text='What fits no phone or e-mail field: a messaging account, “through the NGO”...', max_length=300, verbose_name='other contact details'),
        ),
        migrations.AlterField(
            model_name='victimidentity',
            name='mailing_street',
            field=models.TextField(blank=True, verbose_name='street and number'),
        ),
    ]
