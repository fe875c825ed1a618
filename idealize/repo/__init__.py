"""Stage 1, collect: git (the one place that talks to git), which branches changed what
(``collect``), down to the symbol (``symbols``, ``languages``)."""
