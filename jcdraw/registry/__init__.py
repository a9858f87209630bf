"""The registry workbook ("两库"): entities and inspectors, loaded column-wise and checked; eligibility."""

DEFAULT_FILE_NAME = "registry.xlsx"  # the registry every command reads when none is named, and init writes
