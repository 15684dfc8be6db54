"""The Python standard library calls the engine follows."""

from . import PARTIAL, api

FUNCTIONS = {
    "functools.partial": api(PARTIAL),
}
