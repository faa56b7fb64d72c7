"""The swarm: the FSM engine (fsm), the broker simulator (broker), market data (market) and
the pykka/ZeroMQ runtime that hosts them (runtime). Imports messages, never scenarios."""
