"""`POST /api/v1/extract`: skill mentions in a text, through the packaged nlp pipeline."""
