from dlnd.cli import main

raise SystemExit(main())
