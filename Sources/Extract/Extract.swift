// Extract: placeholder until its issue lands.
