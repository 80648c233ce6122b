"""What the DWA tests expect (shared by the ranker's and the competency proposals' tests)."""

# what O*NET itself links its vital-signs tasks to (Tasks to DWAs), any of which a designer would accept
VITAL_SIGNS = {
    "record vital statistics or other health information.",
    "measure the physical or physiological attributes of patients.",
    "assess physical conditions of patients to aid in diagnosis or treatment.",
    "monitor patient conditions during treatments, procedures, or activities.",
    "maintain health or medical records.",
    "maintain medical records.",
    "record patient medical histories.",
}
