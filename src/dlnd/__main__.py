from dlnd.app.cli import main

raise SystemExit(main())
