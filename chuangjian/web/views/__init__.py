"""Web pages, one module per page group: auth, home, tree, units, people, audit."""
