"""procure: decision support for government-cloud (政务云) procurement."""

__version__ = "0.1.0"
