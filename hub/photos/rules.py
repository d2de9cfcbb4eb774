"""Which children a photo may show, and the bounds of an upload. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.core.actors import Refused

PHOTO_BYTES = 10 * 1024 * 1024  # one uploaded photo
LONGEST_SIDE = 2048  # pixels of the photo as shown
THUMB_SIDE = 400
CAPTION = 200
TAGS = 30


def check_tags(chosen: Sequence[int], children: Mapping[int, tuple[str, bool]]) -> list[int]:
    """The tags as kept; ``children``: the location's children, id -> (first name, no photos).

    Refuses a child of another location, and a child without photo consent, by name.
    """
    tags = list(dict.fromkeys(chosen))
    if not tags:
        raise Refused("Duid minstens één kind aan op de foto.")
    if len(tags) > TAGS:
        raise Refused(f"Hoogstens {TAGS} kinderen per foto.")
    unknown = [t for t in tags if t not in children]
    if unknown:
        raise Refused("Een aangeduid kind hoort niet bij deze opvanglocatie.")
    refused = [children[t][0] for t in tags if children[t][1]]
    if refused:
        names = ", ".join(refused)
        raise Refused(
            f"Geen foto's van {names}: de ouders gaven geen toestemming. "
            "Kies een andere foto of duid dit kind niet aan."
        )
    return tags


def check_caption(caption: str) -> str:
    caption = " ".join(caption.split())
    if len(caption) > CAPTION:
        raise Refused(f"Het onderschrift mag hoogstens {CAPTION} tekens lang zijn.")
    return caption
