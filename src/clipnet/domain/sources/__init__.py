"""Sources: the long recordings clips are cut from, their ingest and the URL guard."""
