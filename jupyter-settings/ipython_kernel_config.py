# The course's kernel settings (installed into <environment>/etc/ipython/ by
# jupyter-settings/install.py): the links of JupyterLab's « Aide » menu, in French,
# to the references of the libraries the course uses.
c = get_config()  # noqa: F821 - provided by IPython when it loads this file

c.IPythonKernel.help_links = [
    {"text": "Référence Python", "url": "https://docs.python.org/fr/3/"},
    {"text": "Référence pandas", "url": "https://pandas.pydata.org/docs/"},
    {"text": "Référence NumPy", "url": "https://numpy.org/doc/stable/"},
    {"text": "Référence Matplotlib", "url": "https://matplotlib.org/stable/"},
    {"text": "Référence seaborn", "url": "https://seaborn.pydata.org/"},
    {"text": "Référence scikit-learn", "url": "https://scikit-learn.org/stable/"},
]
