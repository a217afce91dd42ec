"""One reader of the environment for all settings modules (django-environ)."""
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer may keep local values in .env (never committed); real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
