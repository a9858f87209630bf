"""The annual inspection plans ("一单"): models, safe loading, the working-day calendar, result categories."""
