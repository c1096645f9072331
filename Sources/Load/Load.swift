// Load: placeholder until its issue lands.
