"""The portal's thin shell: the FastAPI app, layout, session and CSRF dependencies, navigation."""
