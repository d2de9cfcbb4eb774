"""The two price models, kept apart (DESIGN.md, "Two price models"). Plain functions, no I/O.

    ko_toeslag.py     "vrije prijs" locations: the childcare subsidy (KO-toeslag) parents receive per
                      day from the attendance the location sends to Kind en Gezin
    income_tariff.py  "inkomenstarief" locations: the share of the family's income-related day price
                      a day of childcare costs, by the hours present
    amounts.py        the yearly indexed amounts, as a dated table read from configuration

A location has one model (``locations.price_model``); at an inkomenstarief location parents get no
KO-toeslag, so the two are never combined.
"""
