"""At most R restarts in T seconds, with a back-off that doubles; then the run fails
naming the process, the cause and the limit."""

from __future__ import annotations

from tradeswarm.scenarios.run.chaos import ChaosPlan
from tradeswarm.scenarios.run.supervisor import Supervisor


def test_restarts_are_limited_per_window_and_back_off_doubles() -> None:
    supervisor = Supervisor(frozenset({"instruments-0"}), max_restarts=2, window_seconds=10.0)
    assert not supervisor.may_restart("broker", now=0.0)  # never restartable
    assert supervisor.may_restart("instruments-0", now=0.0)
    first = supervisor.back_off_seconds("instruments-0")
    supervisor.down("instruments-0", "died with signal 9", now=0.0)
    assert supervisor.back_off_seconds("instruments-0") == 2 * first
    supervisor.down("instruments-0", "died with signal 9", now=1.0)
    assert not supervisor.may_restart("instruments-0", now=5.0)
    assert supervisor.may_restart("instruments-0", now=10.5)  # the first left the window
    reason = supervisor.give_up_reason(
        "process instruments-0 (pid 123)", "instruments-0", "died with signal 9"
    )
    assert reason == (
        "process instruments-0 (pid 123) died with signal 9, and it was restarted 2 times "
        "in 10 s already (run.max_restarts, run.restart_window_seconds)"
    )
    assert supervisor.give_up_reason(
        "process broker (pid 7)", "broker", "died with exit code 1"
    ) == ("process broker (pid 7) died with exit code 1")


def test_a_restart_records_when_it_was_back_and_what_it_replayed() -> None:
    supervisor = Supervisor(frozenset({"instruments-0"}), max_restarts=3, window_seconds=60.0)
    restart = supervisor.down("instruments-0", "was frozen (silent for 2.1 s)", now=100.0)
    supervisor.back("instruments-0", replayed_inputs=42, replay_seconds=0.25)
    record = restart.as_record(started_at=90.0)
    assert record["down_at"] == 10.0
    assert record["replayed_inputs"] == 42
    assert record["recovery_seconds"] == round(restart.back_at - 100.0, 3)


def test_a_chaos_plan_is_a_function_of_its_seed_and_stays_within_the_restart_limit() -> None:
    hosts = ["instruments-0", "instruments-1"]
    plans = [ChaosPlan.make(seed, 100_000, hosts, max_restarts=3) for seed in range(50)]
    assert plans[7] == ChaosPlan.make(7, 100_000, hosts, max_restarts=3)
    assert all(1 <= len(plan.kills) <= 3 for plan in plans)
    assert all(0 < kill.at_bars < 100_000 for plan in plans for kill in plan.kills)
    assert len(ChaosPlan.make(7, 100_000, hosts, max_restarts=1).kills) == 1
    plan = ChaosPlan.make(9, 100_000, hosts, max_restarts=3)
    first = plan.kills[0].at_bars
    assert plan.due(first - 1) == []
    assert plan.due(first + 5) == [plan.kills[0]] and plan.kills[0].done_at_bars == first + 5
    assert plan.due(first + 6) == []  # each kill once
