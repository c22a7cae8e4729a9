# The module build.sh compiles.
from model import TOOL, Add, Layout, Var, addr
# @if node
from model import Node
# @end
# @if outer
from model import Outer
# @end
# @if derived
from model import Derived, Holder
# @end
# @if live
from model import live
# @end
# @if callback
from model import visit_offset
# @end
