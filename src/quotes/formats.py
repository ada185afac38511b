"""The BRAT and CoNLL readers and writers under their old module name; they live in :mod:`quotes.brat` and
:mod:`quotes.conll` (and Citron JSON in :mod:`quotes.citron`). Kept so ``from quotes.formats import ...`` works."""

from quotes.brat import (
    ROLES,
    WARNING_COUNTS,
    Attributions,
    BratReport,
    read_brat,
    read_brat_document,
    scan_brat,
    scan_brat_document,
)
from quotes.conll import Tokenize, conll_sentences, read_conll, read_conll_documents, write_conll

__all__ = [
    "ROLES",
    "WARNING_COUNTS",
    "Attributions",
    "BratReport",
    "Tokenize",
    "conll_sentences",
    "read_brat",
    "read_brat_document",
    "read_conll",
    "read_conll_documents",
    "scan_brat",
    "scan_brat_document",
    "write_conll",
]
