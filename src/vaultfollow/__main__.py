from vaultfollow.cli import main

main()
