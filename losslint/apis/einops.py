"""einops: the pattern names the axes, so layouts flow through it exactly."""

from . import EREDUCE, REARRANGE, api

FUNCTIONS = {
    "einops.rearrange": api(REARRANGE, "pattern", 1),
    "einops.repeat": api(REARRANGE, "pattern", 1),
    "einops.reduce": api(EREDUCE, "pattern", 1),
}
