"""ClipNET: long stream recordings and chat requests in, short scored polished clips out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clipnet")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
