"""What a person reads: the brief (PDF, HTML, Markdown, JSON) and its charts, the
terminal's tables, the award workbook, and `verify`, which re-runs a brief from the inputs it
carries.

May import: everything below it (inputs, advice, award, analysis, the root's
`recommendation`), never the CLI.
"""
