import sys

from ._cli import console

sys.exit(console())
