"""The vendor mix as a MILP: the instance an award is solved over (`instance`), the model
in PuLP (the model of record) and as arrays (`formulation`), the branching solver (`mip`), the
award with its exact check, repairs and extras (`optimizer`), and the solve-time helpers (the
thread pool `parallel`, the shared time budget `budget`).

May import: the root helpers, `procure.inputs` and `procure.advice`.
"""
