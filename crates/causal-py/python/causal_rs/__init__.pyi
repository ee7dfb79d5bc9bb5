from . import discover as discover
from ._data import dataset as dataset
from ._native import Data as Data, Graph as Graph, __version__ as __version__

__all__ = ["Data", "Graph", "dataset", "discover", "__version__"]
