"""The Flask extensions, made once here and bound to an app in `create_app` (so tests can make many apps)."""

from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

login_manager = LoginManager()
csrf = CSRFProtect()
talisman = Talisman()
wtforms_helpers = WTFormsHelpers()

# Only our own files: GOV.UK Frontend's scripts and styles are built into web/static at set-up.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
}
