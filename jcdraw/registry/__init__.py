"""The registry workbook ("两库"): entities and inspectors, loaded column-wise and checked; eligibility."""
