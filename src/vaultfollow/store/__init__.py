"""The vault on disk: which files are what, the scan, reads, atomic writes
that never replace a file vaultfollow did not write, the lock, state
files and the cache."""
