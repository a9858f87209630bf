"""What is published (no risk class, no inspector data): the publicity workbook, the web page, publish()."""
