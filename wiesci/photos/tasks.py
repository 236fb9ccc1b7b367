from django_tasks import task

from wiesci.core.actors import WORKER
from wiesci.photos.models import Photo
from wiesci.photos.services import make_renditions


@task()
def make_photo_renditions(photo_id: int) -> None:
    """Make the public sizes of a newly uploaded photo."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is not None:
        make_renditions(photo, by=WORKER)
