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
for _sub in ("torch_tools", "scatter", "cg", "compile", "utils"):
    try:
        _loaded = importlib.import_module("mace.tools." + _sub)
    except Exception:  # noqa: BLE001  (training-only dependencies)
        continue
    for _key, _value in vars(_loaded).items():
        if not _key.startswith("_") and not hasattr(sys.modules["mace.tools"], _key):
            setattr(sys.modules["mace.tools"], _key, _value)
from mace.data.atomic_data import AtomicData  # noqa: E402

sys.modules["mace.data"].AtomicData = AtomicData
