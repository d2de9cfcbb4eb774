"""Notifications to parents (issue 18): per parent and child a message on every arrival and
departure, a daily summary, or nothing; by mail and by Web Push.

    rules.py     what is said and when it is too late (pure)
    store.py     preferences, push subscriptions, the scan of stored events into the outbox
    worker.py    the hub's notifier thread: scan, summaries, pushes (pywebpush, VAPID, aes128gcm)
    vapid.py     the hub's VAPID key pair, a 0600 file in the data folder
    settings.py  the ``[notify]`` table of hub.toml
    routes.py    the parent's "Meldingen" page, the subscription endpoint, the service worker
"""
