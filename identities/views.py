"""Pages of the identity directory: search and creation come with the directory issue."""
