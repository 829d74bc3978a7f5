"""What the analyst gives, read and checked: the scenario and vendor formats (pydantic models),
located YAML reading, bid sheets (CSV, XLSX), criteria weights, the starter files, the one
loading path (`load`) and the record of what a run read (`record`).

May import: the root helpers (errors, money, files, catalog, text). Nothing else in procure.
"""
