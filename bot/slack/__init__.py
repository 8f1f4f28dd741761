"""The Slack app: the only package that knows Slack (see app.py for the entry points)."""
