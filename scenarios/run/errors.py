"""How a run can fail that is not the user's doing; light, so the command line can catch it
without importing the swarm."""

from __future__ import annotations


class SwarmFailed(RuntimeError):
    """The swarm could not finish: an actor failed, a process died, or time ran out."""


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop (SIGINT, SIGTERM, SIGHUP); ``signum`` says by which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
