from dataclass_scan.cli import main

main()
