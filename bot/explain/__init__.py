"""Explain a WMO325/JW325 retour message (issue 4): why did the municipality reject my declaration?

    from bot.explain import explain_bytes, ExplainError
    x = explain_bytes(data, "retour.xml", kb)      # or explain_file(path, kb)
    text = bot.render.explain.render_explanation(x, "plain", "nl")

parse.py reads the file (hardened, streaming), explain.py aggregates it with the knowledge
base, bot/render/explain.py turns it into text. Nothing of the file is stored or logged.
"""

from bot.explain.errors import MAX_BYTES, ExplainError
from bot.explain.explain import MAX_ROWS, as_json, explain_bytes, explain_file
from bot.explain.model import Explanation

__all__ = ["MAX_BYTES", "MAX_ROWS", "ExplainError", "Explanation", "as_json", "explain_bytes", "explain_file"]
