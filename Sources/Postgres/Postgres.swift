// Postgres: placeholder until its issue lands.
