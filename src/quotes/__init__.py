"""quotes: find quotations in news text and say who said them.

The public surface is listed in ``__all__``. Importing the package is cheap and has no side effects: the modules
that need torch or transformers (training, inference) load only when one of their names is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Span": "quotes.schema",
    "ScoredSpan": "quotes.schema",
    "Quote": "quotes.schema",
    "QuoteRecord": "quotes.schema",
    "Document": "quotes.schema",
    "DataValidationError": "quotes.schema",
    "read_documents": "quotes.data",
    "write_documents": "quotes.schema",
    "Config": "quotes.config",
    "load_config": "quotes.config",
    "train": "quotes.training",
    "QuoteExtractor": "quotes.inference",
    "predict": "quotes.inference",
    "evaluate": "quotes.evaluation",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover
    from quotes.config import Config, load_config
    from quotes.data import read_documents
    from quotes.evaluation import evaluate
    from quotes.inference import QuoteExtractor, predict
    from quotes.schema import DataValidationError, Document, Quote, QuoteRecord, ScoredSpan, Span, write_documents
    from quotes.training import train


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'quotes' has no attribute {name!r}")
