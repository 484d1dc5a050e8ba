"""The 35 member states of the OAS. Codes from ISO 3166 (pycountry), names in English from
pycountry and in Spanish, French and Portuguese from the Unicode CLDR (Babel): none typed by hand."""

from django.db import migrations

# ISO 3166-1 alpha-2 codes of the 35 member states of the Organization of American States.
OAS_MEMBER_STATES = (
    "AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV US GD GT GY HT HN JM MX NI PA PY PE KN LC VC SR "
    "TT UY VE"
).split()


def load(apps, schema_editor):
    import pycountry
    from babel import Locale

    MemberState = apps.get_model("accounts", "MemberState")
    locales = {lang: Locale.parse(lang) for lang in ("es", "fr", "pt")}
    for code in OAS_MEMBER_STATES:
        country = pycountry.countries.get(alpha_2=code)
        MemberState.objects.update_or_create(
            code=code,
            defaults={
                "alpha3": country.alpha_3,
                "numeric": country.numeric,
                "name": getattr(country, "common_name", country.name),
                "name_es": locales["es"].territories[code],
                "name_fr": locales["fr"].territories[code],
                "name_pt": locales["pt"].territories[code],
            },
        )


def unload(apps, schema_editor):
    apps.get_model("accounts", "MemberState").objects.filter(code__in=OAS_MEMBER_STATES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
