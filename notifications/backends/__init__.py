"""Delivery backends: Django email backends and SMS backends chosen by ``SMS_BACKEND``."""
