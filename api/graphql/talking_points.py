"""Where a talking point came from, for the person it came from: the piece
of feedback about them they raised it from. The other person of the
relationship reads the talking point's text on the agenda and nothing else:
not the feedback, not the link, not even that it came from feedback."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from domain.talking_points import TalkingPoint

if TYPE_CHECKING:
    from api.graphql.feedback_items import Feedback


async def raised_from(info: strawberry.Info, point: TalkingPoint) -> Feedback | None:
    """The item or request (as the viewer may read it) the talking point was
    raised from; the loader answers its owner alone."""
    from api.graphql.feedback import FeedbackRequestNode
    from api.graphql.feedback_items import FeedbackItemNode

    loaders = info.context.loaders
    source = await loaders.talking_point_source.load(point.id)
    if source is None:
        return None
    if source.item_id is not None:
        item = await loaders.feedback_item.load(source.item_id)
        return FeedbackItemNode(entity=item) if item else None
    request = await loaders.feedback_request.load(source.request_id)
    return FeedbackRequestNode(entity=request) if request else None
