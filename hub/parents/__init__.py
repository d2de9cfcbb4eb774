"""The parents' side at /ouders: their account, today's state of their children, the month,
"klopt er iets niet?" requests to the location, and "mijn gegevens" (issue 18, part 1)."""
