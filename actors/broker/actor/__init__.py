"""The broker's shell: the pykka actor around its sans-IO core (the rest of
``actors.broker``), in two halves: running (``broker_actor``) and coming back after a kill
(``rejoin``)."""

from tradeswarm.actors.broker.actor.broker_actor import BrokerActor

__all__ = ["BrokerActor"]
