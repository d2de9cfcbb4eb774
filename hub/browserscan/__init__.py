"""A tablet or phone as the scanner (issue 19): enrolment from the portal, the screen, its API."""
