"""Allow `python -m procure`."""

from procure.cli import main

if __name__ == "__main__":  # not when a worker process of `procure serve` imports it
    main()
