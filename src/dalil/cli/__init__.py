"""The command line: ``dalil <noun> <verb>`` (Typer + Rich)."""
