from wiesci.cli import main

main()
