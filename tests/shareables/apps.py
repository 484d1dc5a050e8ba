from django.apps import AppConfig


class ShareablesConfig(AppConfig):
    """A test-only app with one concrete shareable model, to exercise the visibility rule before
    any module of the platform defines one."""

    name = "tests.shareables"
    label = "shareables"
