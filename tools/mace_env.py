"""Registers mace.tools and mace.data as bare packages (their __init__ imports training-only packages), so that
mace.modules imports with torch, e3nn, opt_einsum and numpy alone (../shared/reference/README.md)."""
import importlib.util
import os
import sys
import types
from typing import Dict

import torch

_spec = importlib.util.find_spec("mace")
_base = os.path.dirname(_spec.origin)
for _name in ("tools", "data"):
    _module = types.ModuleType("mace." + _name)
    _module.__path__ = [os.path.join(_base, _name)]
    sys.modules["mace." + _name] = _module
sys.modules["mace.tools"].TensorDict = Dict[str, torch.Tensor]
# The names mace.modules takes from mace.tools, from the submodules that need nothing beyond torch and numpy.
for _sub in ("torch_tools", "scatter", "cg", "compile", "utils"):
    _loaded = importlib.import_module("mace.tools." + _sub)
    for _key, _value in vars(_loaded).items():
        if not _key.startswith("_") and not hasattr(sys.modules["mace.tools"], _key):
            setattr(sys.modules["mace.tools"], _key, _value)


class AtomicData:
    """Stands in for mace.data.AtomicData, whose module needs matscipy: mace.modules imports it for annotations."""


sys.modules["mace.data"].AtomicData = AtomicData
