"""Photos ("Foto's", issue 21): staff upload and tag children; a parent sees only the photos in
which their own children are tagged; a child marked "geen foto's" cannot be tagged.

    rules.py     pure: tags against consent, the Dutch refusals, the size bounds
    images.py    Pillow: decode, turn upright, re-encode without EXIF/GPS, thumbnail
    store.py     photos and tags in the database; files in the hub's data folder; expired originals
    settings.py  ``[photos]``: how long originals are kept (``originals_days``)
    routes.py    the location's /locaties/{id}/fotos and the parent's /ouders/fotos

Every image is sent by a route after the access check: there is no public URL.
"""
