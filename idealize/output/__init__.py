"""Stage 5, output: the plan as JSON (``plan_json``, written and read), markdown, SARIF,
an HTML page, and the ``--fail-on`` gate."""
