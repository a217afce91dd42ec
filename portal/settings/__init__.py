"""Settings, split by topic. Every value that differs between machines comes from the environment."""
from .api import *  # noqa: F401,F403
from .base import *  # noqa: F401,F403
from .database import *  # noqa: F401,F403
from .i18n import *  # noqa: F401,F403
from .imports import *  # noqa: F401,F403
from .security import *  # noqa: F401,F403
from .sms import *  # noqa: F401,F403
from .tasks import *  # noqa: F401,F403
