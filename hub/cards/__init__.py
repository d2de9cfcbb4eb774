"""Cards: card codes, the roster, linking a card to a child at the door, the scan screen."""
