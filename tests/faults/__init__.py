"""A local server of faulty sites for the fault end-to-end tests (tests/test_faults_e2e.py).

    from tests.faults import FaultServer, FAULTS, TRANSPORT, CONTENT

See the docstring of tests/faults/server.py for the routes and fault behaviours.
"""

from .server import CONTENT, FAULTS, TRANSPORT, FaultServer

__all__ = ["CONTENT", "FAULTS", "TRANSPORT", "FaultServer"]
