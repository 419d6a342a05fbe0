"""Small rules of English that e-mails and pages share."""


def possessive(name: object) -> str:
    """Riverside Police's, Children's Services': a name ending in s takes the apostrophe alone."""
    name = str(name)
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
