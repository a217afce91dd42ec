"""Pages of the customer file, by what they show: groups (portfolio, 360 view, history, data quality),
records (the rows under a group) and transfer (import and export). Billing pages: groupclients.billing.views."""
