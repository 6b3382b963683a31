"""Reading funding officers' files (CSV, XLSX, the ECB's and plain rate files) into rows the
services take. Nothing here writes: funding.services does."""
