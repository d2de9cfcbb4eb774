"""Who may log in to the portal, and how: organisators by e-mail and password, locations by
dossier number and PIN.

    passwords.py  argon2id hashing of passwords and PINs; the password rule
    tokens.py     one-time links that set a password (invitation, "wachtwoord vergeten")
    sessions.py   server-side sessions behind the portal's cookie
    throttle.py   wrong PINs and passwords counted per location/account and per client address
    service.py    log in, invite, reset: the steps above put together, with the Dutch refusals
"""
