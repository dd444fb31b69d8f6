"""A deadline for reading a file, in plain Python (no app): the pure readers (the contract
checker) call ``check()`` in their loops; ``parse_budget`` opens the budget from the
app's settings and turns ``TimeBudgetSpent`` into the user's refusal."""
import contextvars
import time
from contextlib import contextmanager
from typing import Iterator

_deadline: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar("read_deadline",
                                                                                        default=None)


class TimeBudgetSpent(Exception):
    """Reading took longer than its budget (``seconds``)."""

    def __init__(self, seconds: float):
        super().__init__(f"reading took longer than {seconds:g} seconds")
        self.seconds = seconds


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Bound the reading done in the block (a nested budget keeps the earlier deadline)."""
    outer = _deadline.get()
    deadline = time.monotonic() + seconds
    token = _deadline.set(outer if outer is not None and outer[0] <= deadline else (deadline, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise ``TimeBudgetSpent`` if the budget of the current context is spent (no budget: no-op)."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current[0]:
        raise TimeBudgetSpent(current[1])
