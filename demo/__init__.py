"""The demo and the synthetic posting engine, apart from the runtime: `skillpulse serve --demo` loads the demo
(demo/load.py: example credentials, a year of postings from demo/postings.py, a survey from demo/survey.py);
the benchmarks and tests make postings with demo/synthetic.py. Nothing in service/, surveys/ or nlp/ imports it
but `serve --demo` (checked by tests/unit/test_import_graph.py)."""
