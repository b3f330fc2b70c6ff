"""The web workspace, ``guanxi serve``: pages for people, a JSON API for scripts.

Optional: ``pip install 'guanxi[web]'``. Built on the same
:class:`guanxi.Workspace` as the command line (docs/web.md):

- :mod:`guanxi.web.app`: the application, its guards and error statuses;
- :mod:`guanxi.web.auth`: tokens, proxy headers, signed session cookies, CSRF;
- :mod:`guanxi.web.api`: ``/api/v1``;
- :mod:`guanxi.web.pages`: the server-rendered pages; :mod:`guanxi.web.i18n` their words;
- :mod:`guanxi.web.settings`: ``[serve]``; :mod:`guanxi.web.logmask`: the log's masking.
"""
