import sys

from clerk_console.cli import main

sys.exit(main())
