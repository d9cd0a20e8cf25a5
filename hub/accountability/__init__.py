"""Accountability: the assessment KPIs per area and month, and what is disclosed to the public."""
