"""One module per finding kind; each turns pieces of changed code into findings."""
