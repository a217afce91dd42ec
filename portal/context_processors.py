from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    return {"nav_items": items_for(user), "nav_current": current}
