"""The conseillers' inbox: a static web page over the public admin API, and its strings."""
