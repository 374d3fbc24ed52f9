from failover.sync.throttle import Throttle


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_the_average_rate_holds_over_the_whole_transfer():
    clock = FakeClock()
    throttle = Throttle(1000, clock=clock, sleep=clock.sleep)
    for _ in range(50):
        throttle.consume(100)
    assert clock.now - 100.0 == 5.0  # 5,000 bytes at 1,000 bytes/s


def test_time_spent_elsewhere_counts_toward_the_budget():
    clock = FakeClock()
    throttle = Throttle(1000, clock=clock, sleep=clock.sleep)
    throttle.consume(1000)
    clock.now += 3  # a slow disk, say
    throttle.consume(1000)
    assert clock.now - 100.0 == 4.0


def test_zero_means_unlimited():
    clock = FakeClock()
    throttle = Throttle(0, clock=clock, sleep=clock.sleep)
    throttle.consume(10**9)
    assert clock.now == 100.0


def test_counting_from_the_start_lets_a_late_transfer_catch_up():
    clock = FakeClock()
    throttle = Throttle(1000, clock=clock, sleep=clock.sleep)
    throttle.start()
    clock.now += 2  # listing the tree
    throttle.consume(2000)
    assert clock.now == 102.0  # no wait: the budget of the first 2 s was unused
    throttle.consume(1000)
    assert clock.now == 103.0
