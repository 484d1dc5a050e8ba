"""Scaffolding while the pages are being written; replaced module by module."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def placeholder(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return render(request, "core/placeholder.html", {})
