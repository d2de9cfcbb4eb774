"""Scanner units as the hub knows them, and the retained configuration it publishes to each."""
