"""The metrics page: indicators as pure functions, groups, charts and the page."""
