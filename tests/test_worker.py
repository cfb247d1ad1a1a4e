"""The kernel's two workers: a periodic step that may ask for its own delay, and the newest-item worker that
drops stale items; both by hand and on their real threads."""

import threading

from studio.kernel.worker import Jobs, NewestItemWorker, PeriodicWorker


def test_the_newest_item_worker_by_hand_handles_only_the_newest():
    seen: list[int] = []
    worker = NewestItemWorker("test", seen.append)
    assert not worker.step()
    for item in (1, 2, 3):
        worker.offer(item)
    assert worker.step() and not worker.step()
    assert seen == [3] and (worker.counts.offered, worker.counts.handled, worker.counts.dropped) == (3, 1, 2)


def test_the_newest_item_worker_thread_drops_what_arrives_while_it_is_busy():
    release, busy = threading.Event(), threading.Event()
    seen = []

    def handle(item: int) -> None:
        busy.set()
        assert release.wait(5)
        seen.append(item)

    worker = NewestItemWorker("test", handle)
    worker.start()
    worker.offer(1)
    assert busy.wait(5)
    for item in (2, 3, 4):  # arrive while 1 is being handled
        worker.offer(item)
    release.set()
    assert worker.idle()
    worker.stop()
    assert seen == [1, 4] and worker.counts.dropped == 2 and worker.counts.handled == 2


def test_a_failing_item_is_reported_and_the_worker_goes_on():
    errors: list[BaseException] = []

    def handle(item: int) -> None:
        if item == 1:
            raise RuntimeError("bad frame")

    worker = NewestItemWorker("test", handle, on_error=errors.append)
    worker.offer(1)
    worker.step()
    worker.offer(2)
    worker.step()
    assert [str(e) for e in errors] == ["bad frame"] and worker.counts.handled == 1


def test_the_periodic_worker_takes_the_delay_its_step_asks_for_and_outlives_failures():
    calls: list[int] = []
    done = threading.Event()

    def step() -> float | None:
        calls.append(len(calls))
        if len(calls) == 2:
            raise ValueError("one bad step")
        if len(calls) >= 4:
            done.set()
        return 0.0 if len(calls) < 3 else None

    errors: list[BaseException] = []
    worker = PeriodicWorker("test", 0.01, step, on_error=errors.append)
    worker.start()
    assert done.wait(5)
    worker.stop()
    assert not worker.running and len(calls) >= 4 and [str(e) for e in errors] == ["one bad step"]


def test_jobs_hand_back_results_and_errors_and_cancel_a_call_overtaken_while_waiting():
    jobs = Jobs("test-jobs")
    release = threading.Event()
    names: list[str] = []

    def slow() -> int:
        names.append(threading.current_thread().name)
        release.wait(5.0)
        return 1

    def fail() -> None:
        raise ValueError("bad input")

    running = jobs.submit(slow)
    while not running.running():  # the thread has taken it
        release.wait(0.01)
    overtaken = jobs.submit(lambda: 2)
    newest = jobs.submit(lambda x: x * 3, 5)
    assert overtaken.cancelled()  # only the newest waiting call matters
    release.set()
    assert running.result(5.0) == 1 and newest.result(5.0) == 15
    assert names == ["test-jobs"]  # on the kernel worker's own thread
    failed = jobs.submit(fail)
    assert isinstance(failed.exception(5.0), ValueError)
    jobs.shutdown()
    assert "test-jobs" not in {t.name for t in threading.enumerate()}
