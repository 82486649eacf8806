"""Flask extension objects, created unbound and initialised in create_app."""

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from freshcircle.platform.api_errors import FreshCircleApi
from freshcircle.platform.models.base import Base

db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
api = FreshCircleApi()
