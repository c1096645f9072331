// Transform: placeholder until its issue lands.
