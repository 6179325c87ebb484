"""The web chat channel: its JSON API (routes, sessions), its page and the page's strings."""
