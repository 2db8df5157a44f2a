"""The demo's function code, shipped to the workers as function projects (see ``project.py``).

These modules import numpy only: they run inside the functions' environments.
"""
