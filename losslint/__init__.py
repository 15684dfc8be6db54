"""losslint: find hard-coded axes in loss code that hit the wrong named axis."""

__version__ = "0.1.0"
