// SyntheticDrop: placeholder until its issue lands.
