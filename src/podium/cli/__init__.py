"""The ``podium`` command: typer sub-commands that parse flags, call the library and format output.

Rule: formatting and argument parsing only; may import every other podium package.
"""
