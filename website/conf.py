"""Sphinx configuration of the course website (``make site``; see ``website/build.py``).

The site is built from the stored, executed notebooks (never re-executed), offline, in
French. ``REPOSITORY_URL`` is the one place that names the public repository: the Binder
launch buttons, the repository button and the links to files the site does not carry
are all built from it (README's Binder badge names it too; a test keeps them equal).
"""

REPOSITORY_URL = "https://github.com/OWNER/gestion-relation-client"
BINDERHUB_URL = "https://mybinder.org"

project = "Gestion de la relation client"
author = "les auteurs du cours"
copyright = "2026, les auteurs du cours — textes CC BY-SA 4.0, code MIT"
language = "fr"
smartquotes = False            # the texts are typed with their French typography (« », ’); docutils' would garble d'**…**

extensions = ["myst_nb", "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
master_doc = "index"
# Some exercise notebooks put their « Question N » headings at level 3 under the title:
# harmless on the site (the page outline stays right), so not reported at each build.
suppress_warnings = ["myst.header"]

# the notebooks are shown as stored: executed by `make execute`, checked by nbval
nb_execution_mode = "off"
nb_ipywidgets_js = {}          # widget views are drawn statically by website/build.py (no CDN script)
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 4       # the course links to sections by their GitHub-style anchors
myst_dmath_double_inline = True

# MathJax 3, copied into _static/mathjax by website/build.py: SVG output (no web font to load)
mathjax_path = "mathjax/tex-svg.js"

html_theme = "sphinx_book_theme"
html_title = "Gestion de la relation client"
html_static_path = ["_static"]
html_css_files = ["crmlab-site.css"]
html_last_updated_fmt = None
html_show_sphinx = False
html_copy_source = True
html_context = {"default_mode": "light"}   # readable when projected; the reader can switch
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "HEAD",
    "path_to_docs": "",        # the site's source tree mirrors the repository
    "use_repository_button": True,
    "use_download_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "launch_buttons": {
        "binderhub_url": BINDERHUB_URL,
        "notebook_interface": "jupyterlab",   # urlpath=lab/tree/<path>: JupyterLab at the course root
    },
}
