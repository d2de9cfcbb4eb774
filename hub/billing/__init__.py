"""Billing (issue 20): care plans, justified absences and respite days, the month invoice.

Pure rules (no I/O; listed in tests/test_house_rules.py RULE_FILES):

    policy.py    an organisator's billing rules as one value (AG Antwerpen, Gezinsbond presets):
                 two organisations are two settings, not two code paths
    bands.py     minutes present within 06:00-20:00 Brussels and the share of the day price
    absences.py  the yearly allowance of justified absences / respite days and how absences use it
    fees.py      waste fee, administration cost, child discount, late-pickup fine

Amounts come from the dated table (:mod:`hub.prices.amounts`, ``[[billing]]`` rows), never from code.
"""
