"""The what-if page (`procure serve SCENARIO`, issue #28): a local web page where an analyst
changes the criteria weights, the budget, the award's rules, the contract structure, the
partnership mode or the bidders, and sees the award, the plan, the deployment and the
partnership comparison solved again, with what changed against the scenario as written.

Owns: the page's fields and how they become scenario edits (`fields`), the computation behind
one state of the page (`compute`), the worker process that runs it off the request loop
(`worker`), and the web application (`app`, Starlette on uvicorn) with its templates and
script, served from the package.

May import: anything below the command line (`procure.inputs` to `procure.documents`); only
the CLI imports it.
"""
