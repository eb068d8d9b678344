"""JSON whose text never carries raw <, > or &, so user text cannot become markup if sniffed."""

from flask.json.provider import DefaultJSONProvider

_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class SafeJSONProvider(DefaultJSONProvider):
    """The default provider with HTML-significant characters escaped; parsed values are unchanged."""

    def dumps(self, obj, **kwargs) -> str:
        return super().dumps(obj, **kwargs).translate(_ESCAPES)
