"""What the bundle tests share: checks that collect their failures, listed at the end.

    from checks import check, finish, run

    check(condition, message) -> condition   records message when condition is false
    run(args, **kwargs) -> CompletedProcess  subprocess.run with text output captured
    finish(passed=None)                      lists the failures and exits 1 if there was any;
                                             else prints `passed` (when given) and returns
"""

import subprocess
import sys

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def finish(passed=None):
    if failures:
        print(f"{len(failures)} check(s) failed:")
        for failure in failures:
            print("- " + failure)
        sys.exit(1)
    if passed:
        print(passed)
