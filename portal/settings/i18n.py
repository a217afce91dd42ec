"""Language and time: Chinese first, English second; China Standard Time."""
from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, env

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

__all__ = ["LANGUAGE_CODE", "LANGUAGES", "LOCALE_PATHS", "TIME_ZONE", "USE_I18N", "USE_TZ", "_"]
