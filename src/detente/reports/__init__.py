"""Reports: the agreement and the checker's and monitor's results, for people and machines."""
