"""Signals of the photos app, for the apps that show photos to listen to."""

from django.dispatch import Signal

# Sent when a photo's public sizes have been (re)made. Argument: photo.
renditions_made = Signal()
