"""Entry point of the one-folder bundle: the same CLI as the ``clerk-console`` script."""
import sys

from clerk_console.cli import main

if __name__ == "__main__":
    sys.exit(main())
