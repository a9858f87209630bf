"""Files in and out: atomic writes, text normalisation, safe xlsx reading and formula-safe xlsx writing."""
