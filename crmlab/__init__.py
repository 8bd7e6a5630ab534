"""crmlab — the helpers of the course « Gestion de la relation client ».

Small, flat and tested: one module per topic, plain functions, DataFrame in,
DataFrame out. Importing ``crmlab`` is cheap and has no side effect; heavy
libraries (scikit-learn, lifetimes, seaborn, ipywidgets, duckdb) are imported
inside the functions that need them.

>>> import crmlab
>>> from crmlab import datasets, style          # doctest: +SKIP
>>> from crmlab.exercises import check, hint    # doctest: +SKIP
"""

__version__ = "0.1.0"
