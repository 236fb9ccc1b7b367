"""Signals of the photos app, for the apps that show photos to listen to."""

from django.dispatch import Signal

# Sent when a photo's public sizes have been (re)made. Argument: photo.
renditions_made = Signal()

# Sent after a change readers would see on a public page: a photo's caption,
# credit or alternative text edited, or the photo deleted. Argument: photo.
photo_changed = Signal()

# Sent after a video's title or poster changed, or the video was deleted.
# Argument: video.
video_changed = Signal()
