// Operations: placeholder until its issue lands.
