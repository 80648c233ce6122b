"""Job postings: intake, import sources and scheduled imports, the extraction worker."""
