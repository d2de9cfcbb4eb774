"""Care plans (opvangplan, issue 20): per child and location, which days are planned and when.

    rules.py     the plan as values: versions, planned days, months in care (pure)
    service.py   storing and reading plans (append-only versions), settling-in days
    routes.py    the location's screen "Opvangplan"

The attendance grid reads planned days from here (a planned day without registration is
"afwezig"); billing reads plans to charge missed days and count the allowance. This folder imports
neither of them.
"""
