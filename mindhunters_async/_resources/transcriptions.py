"""client.transcriptions: audio uploaded for transcription and evaluation, and the transcripts."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Transcriptions"]


class Transcriptions(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
