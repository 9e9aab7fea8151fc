"""A pass and the vault-level use cases, over the store and the core: no
click, threads or signals."""
