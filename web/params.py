"""Query-string parameters of the JSON API, declared once.

Each ``Param`` both parses a value strictly (what the schema calls invalid is
rejected, nothing is silently coerced) and describes itself as an OpenAPI
parameter, so the published document cannot drift from what the code accepts.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from werkzeug.routing import BaseConverter

from web.errors import ApiError

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISO_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
BOOLEANS = {"true": True, "false": False}
MAX_NAMES_SHOWN = 10     # unknown parameters named in a 400, each cut at MAX_NAME_CHARS
MAX_NAME_CHARS = 100


def invalid(param: "Param", reason: str, **details) -> ApiError:
    return ApiError("invalid_parameter", reason=reason, name=param.name, **details)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str                      # "text", "integer", "boolean", "choice", "date", "month", "list"
    description: str
    default: object = None
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None     # integers: largest value; text and list items: longest
    max_items: int | None = None   # lists: most values
    choices: tuple[str, ...] = ()
    example: object = None

    # -- parsing -----------------------------------------------------------
    def parse(self, args):
        """This parameter's value from a werkzeug MultiDict, or its default."""
        if self.kind == "list":
            return self._list(args.getlist(self.name))
        raw = args.get(self.name)
        if raw is None:
            return self.default
        return getattr(self, "_" + self.kind)(raw)

    def _text(self, raw: str) -> str:
        if not (self.minimum or 0) <= len(raw) <= self.maximum:
            raise invalid(self, "text", min=self.minimum or 0, max=self.maximum)
        return raw

    def _integer(self, raw: str) -> int:
        if not WHOLE_NUMBER.fullmatch(raw) or not self.minimum <= int(raw) <= self.maximum:
            raise invalid(self, "integer", min=self.minimum, max=self.maximum)
        return int(raw)

    def _boolean(self, raw: str) -> bool:
        if raw not in BOOLEANS:
            raise invalid(self, "boolean")
        return BOOLEANS[raw]

    def _choice(self, raw: str) -> str:
        if raw not in self.choices:
            raise invalid(self, "choice", choices=", ".join(self.choices))
        return raw

    def _date(self, raw: str) -> date:
        try:
            if not ISO_DATE.fullmatch(raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            raise invalid(self, "date") from None

    def _month(self, raw: str) -> tuple[date, date]:
        """"2019-09" → (1 Sep 2019, 30 Sep 2019)."""
        try:
            if not ISO_MONTH.fullmatch(raw):
                raise ValueError(raw)
            year, month = (int(part) for part in raw.split("-"))
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        except ValueError:
            raise invalid(self, "month") from None

    def _list(self, values: list[str]) -> list[str]:
        return self.check_list(values)

    def check_list(self, values: list[str]) -> list[str]:
        """``values`` when there are at most ``max_items`` of the allowed length
        (the HTML pages apply the API's limits through this too)."""
        if len(values) > self.max_items:
            raise invalid(self, "list", max=self.max_items)
        for value in values:
            if not 1 <= len(value) <= self.maximum:
                raise invalid(self, "text", min=1, max=self.maximum)
        return values

    # -- OpenAPI -----------------------------------------------------------
    def openapi(self) -> dict:
        spec = {"name": self.name, "in": "query", "required": self.required,
                "description": self.description, "schema": self.json_schema()}
        if self.kind == "list":
            spec.update(style="form", explode=True)
        if self.example is not None:
            spec["example"] = self.example
        return spec

    def json_schema(self) -> dict:
        schema = getattr(self, "_schema_" + self.kind)()
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def _schema_text(self) -> dict:
        return {"type": "string", "minLength": self.minimum or 0, "maxLength": self.maximum}

    def _schema_integer(self) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def _schema_boolean(self) -> dict:
        return {"type": "boolean"}

    def _schema_choice(self) -> dict:
        return {"type": "string", "enum": list(self.choices)}

    def _schema_date(self) -> dict:
        return {"type": "string", "format": "date"}

    def _schema_month(self) -> dict:
        # Years 0001-9999: Python's dates (and so this parser) have no year 0.
        return {"type": "string", "pattern": "^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(0[1-9]|1[0-2])$"}

    def _schema_list(self) -> dict:
        return {"type": "array", "maxItems": self.max_items,
                "items": {"type": "string", "minLength": 1, "maxLength": self.maximum}}


@dataclass(frozen=True)
class ParamSet:
    """The parameters of one route."""
    params: tuple[Param, ...] = field(default_factory=tuple)

    def parse(self, args) -> dict:
        """Every parameter's value; ApiError ``unknown_parameter`` (400) naming
        the parameters this route does not take, so a misspelt one (``sumber=``
        for ``source=``) is not silently a different search."""
        unknown = self.unknown(args)
        if unknown:
            shown = [name[:MAX_NAME_CHARS] for name in unknown[:MAX_NAMES_SHOWN]]
            raise ApiError("unknown_parameter", fields={"names": shown},
                           names=", ".join(shown), known=", ".join(sorted(self.names)))
        return {p.name: p.parse(args) for p in self.params}

    @property
    def names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)

    def unknown(self, args) -> list[str]:
        """The names in ``args`` this route does not take (a 400, not ignored)."""
        return sorted(set(args) - self.names)

    def openapi(self) -> list[dict]:
        return [p.openapi() for p in self.params]


class ArticleIdConverter(BaseConverter):
    """An article id as one path segment, whatever it holds.

    Ids are data from the corpus and may contain "/", "..", "%", "?" or
    "#". ``to_url`` percent-encodes every one of them (``/`` becomes
    ``%2F``), so the id stays one segment a browser will not resolve as
    ``..``; the server decodes the path before routing, so the route takes
    the rest of the path, slashes included, as the id. The one id a path
    cannot carry is a bare "." or "..", which browsers resolve even when
    encoded: pages link those through ``/article?id=`` (see pages.article_url).
    """

    regex = ".+"
    part_isolating = False

    def to_url(self, value) -> str:
        return quote(str(value), safe="")


def path_safe_id(article_id: str) -> bool:
    """False for the ids no URL path can carry: "", ".", "..", "...", …"""
    return bool(str(article_id).strip("."))
