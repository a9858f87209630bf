"""The draw: the public algorithm, running it against the registry and ledger, its workbook and verify."""
