"""GOV.UK pagination for a list page: the page numbers around the current one, the first and the
last, with ellipses between, each link keeping the page's search and filters."""

from typing import Any

from flask import request, url_for
from werkzeug.datastructures import MultiDict

from models.field_limits import is_whole_number
from workflow.people.directories import Page


def page_asked(param: str = "page") -> int:
    """The page number in the address; anything that is not a small whole number is page 1."""
    value = request.args.get(param, "")
    return int(value) if is_whole_number(value) and len(value) < 6 else 1


def pagination(page: Page, endpoint: str, param: str = "page", **values: Any) -> dict[str, Any] | None:
    """The `govukPagination` parameters for this page of the list, or None when it fits on one page.
    `param` names the page number in the address (a page with several paged tables gives each its
    own); `values` fill the endpoint's own parts of the address."""
    if page.pages <= 1:
        return None

    def href(number: int) -> str:
        args = MultiDict(request.args)
        args[param] = str(number)
        return url_for(endpoint, **values, **args.to_dict(flat=False))

    shown = sorted({1, page.pages, page.page - 1, page.page, page.page + 1} & set(range(1, page.pages + 1)))
    items: list[dict[str, Any]] = []
    for number in shown:
        if items and number - items[-1].get("number", number) > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.page})
    params: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of results"}
    if page.page > 1:
        params["previous"] = {"href": href(page.page - 1)}
    if page.page < page.pages:
        params["next"] = {"href": href(page.page + 1)}
    return params
