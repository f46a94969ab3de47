"""DRF's JSON parser, refusing input nested too deeply to parse.

`json.loads` recurses once per level of nesting, so a body of `[[[[…` a few
hundred kilobytes long raises RecursionError instead of ValueError. DRF only turns
ValueError into a 400, so without this every JSON endpoint (the anonymous token
endpoint included) answered 500 with a traceback in the log.
"""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Any = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("The JSON is nested too deeply.") from exc
