"""Messages ("your comment is awaiting review") that survive a redirect in a frame.

Outside a frame, Django's usual cookie-then-session storage. Inside, there is no
cookie, so messages wait in the cache under the frame's own random id.
"""

import json
from typing import Any

from django.contrib.messages.storage.cookie import MessageDecoder, MessageEncoder
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache

from .middleware import frame_of

TIMEOUT = 5 * 60


class FrameAwareStorage(FallbackStorage):
    def _key(self) -> str | None:
        frame = frame_of(self.request)
        return f"frame-messages:{frame.nonce}" if frame else None

    def _get(self, *args: Any, **kwargs: Any) -> tuple[list[Any] | None, bool]:
        key = self._key()
        if key is None:
            return super()._get(*args, **kwargs)  # type: ignore[misc]
        raw = cache.get(key)
        return (json.loads(raw, cls=MessageDecoder) if raw else []), True

    def _store(
        self, messages: list[Any], response: Any, *args: Any, **kwargs: Any
    ) -> list[Any]:
        key = self._key()
        if key is None:
            return super()._store(  # type: ignore[misc]
                messages, response, *args, **kwargs
            )
        if messages:
            cache.set(key, json.dumps(messages, cls=MessageEncoder), TIMEOUT)
        else:
            cache.delete(key)
        return []
