"""Pages of the documents app: sending, downloading and the print wizard come with their issues."""
