"""``python -m simulator`` runs the geosim command line."""

from simulator.cli.app import main

main()
