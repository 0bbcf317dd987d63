"""``python -m simulator`` runs the geosim command line."""

from simulator.cli.entry import main

main()
