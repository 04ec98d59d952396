"""Pages of 督查整改. Views parse input, ask the scope, call actions and selectors."""
