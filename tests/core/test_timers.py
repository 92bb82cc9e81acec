"""The emulator's timers: due work runs inside ``clock.advance`` and, by real time, in the background."""

from __future__ import annotations

import threading

from hoarfrost.core.emulator import Emulator


def test_advance_runs_what_became_due_before_returning() -> None:
    emulator = Emulator()
    ran: list[str] = []
    now = emulator.clock.time()
    emulator.timers.at(now + 120, lambda: ran.append("late"))
    emulator.timers.at(now + 60, lambda: ran.append("early"))
    emulator.clock.advance(90)
    assert ran == ["early"]
    emulator.clock.advance(60)
    assert ran == ["early", "late"]
    emulator.close()


def test_a_callback_may_schedule_more_work_already_due() -> None:
    emulator = Emulator()
    ran: list[int] = []

    def tick() -> None:
        ran.append(len(ran))
        if len(ran) < 3:
            emulator.timers.at(emulator.clock.time() - 1, tick)

    emulator.timers.after(10, tick)
    emulator.clock.advance(10)
    assert ran == [0, 1, 2]
    emulator.close()


def test_cancelled_timers_and_failing_callbacks_do_not_stop_the_rest() -> None:
    emulator = Emulator()
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("broken callback")

    emulator.timers.after(5, lambda: ran.append("cancelled")).cancel()
    emulator.timers.after(5, boom)
    emulator.timers.after(6, lambda: ran.append("kept"))
    emulator.clock.advance(10)
    assert ran == ["kept"]
    emulator.close()


def test_due_work_runs_by_real_time_in_the_background() -> None:
    emulator = Emulator()
    fired = threading.Event()
    emulator.timers.after(0.05, fired.set)
    assert fired.wait(5)
    emulator.close()


def test_reset_and_close_forget_pending_work() -> None:
    emulator = Emulator()
    ran: list[str] = []
    emulator.timers.after(30, lambda: ran.append("before reset"))
    emulator.reset()
    emulator.clock.advance(60)
    emulator.timers.after(30, lambda: ran.append("before close"))
    emulator.close()
    emulator.clock.advance(60)
    assert ran == []
    assert emulator.timers.pending() == 0
