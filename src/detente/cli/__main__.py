"""``python -m detente.cli``: the ``detente`` command."""

from detente.cli import main

if __name__ == "__main__":  # not when a child process (the page renderer) re-imports it
    main()
