"""The web portal: server-rendered pages in Dutch (nl-BE) and a small JSON API."""
