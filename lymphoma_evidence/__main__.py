"""``python -m lymphoma_evidence``: the same command line as ``lymphoma-evidence``."""

from .cli import main

main()
