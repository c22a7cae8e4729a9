# The module build.sh generates and compiles, and shiboken6's own module.
import shiboken6
from model import Add, Layout, Var
# @if live
from model import live
# @end
from shiboken6 import Shiboken

TOOL = f"shiboken6 {shiboken6.__version__}"


def addr(obj):
    """The address of obj's C++ object."""
    return Shiboken.getCppPointer(obj)[0]
