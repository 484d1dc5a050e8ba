"""Verified email addresses (``User.email_verified_at``).

Accounts that exist when this migration runs, have a usable password and have signed in at
least once count as verified now: their holders received and followed the invitation mail sent
to that address (choosing a password), or were given a password by the Secretariat, which
opened the account for that address, and have used it since. Every other account (never signed
in, or still waiting to choose a password) stays unverified until its holder follows the
invitation or a verification link.
"""

from django.db import migrations, models
from django.utils import timezone

# django.contrib.auth.hashers.UNUSABLE_PASSWORD_PREFIX
UNUSABLE_PASSWORD_PREFIX = "!"


def mark_existing_verified(apps, schema_editor):
    """Existing accounts with a usable password that have signed in count as verified."""
    User = apps.get_model("accounts", "User")
    (
        User.objects.filter(last_login__isnull=False, email_verified_at__isnull=True)
        .exclude(password="")
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .update(email_verified_at=timezone.now())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_role_networks"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verification_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="email address verified"
            ),
        ),
        migrations.RunPython(mark_existing_verified, migrations.RunPython.noop),
    ]
