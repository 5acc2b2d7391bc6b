from scanner.cli import main

raise SystemExit(main())   # the full exit, so profilers and coverage (python -m cProfile -m scanner) write theirs
