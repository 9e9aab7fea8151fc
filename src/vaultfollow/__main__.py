from vaultfollow.entry import main

main()
