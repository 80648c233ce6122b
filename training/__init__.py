"""Training-time code, apart from the run-time library nlp/: the span model's training (spans.py), its
transformer teachers (teacher.py, torch) and the linking vectors' training (embedding.py), with their commands
(cli.py, mounted under `skillpulse nlp`). Nothing in service/, surveys/ or nlp/ imports it at run time."""
