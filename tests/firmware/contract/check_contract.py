#!/usr/bin/python3
"""The POS API's contract test: docs/pos-api.yaml against itself and against the daemon.

  check_contract.py document SPEC [--problems problem.cc] [--routes routes.h]
      The document is sound (openapi_document.py says what that means); with the sources, its
      problem types and operations are exactly the daemon's.
  check_contract.py replies SPEC --tests FIRMWARE_TESTS --record FILE [--min-replies N]
      Runs the API tests (firmware_tests "api:*,limits:*,crash:*") with the contract record in
      FILE ($LOYALTY_API_RECORD_FILE, emptied first), then checks every recorded reply against
      the document, that at least N replies were recorded, and that every operation of the
      document was exercised.
  check_contract.py replies SPEC --recorded FILE
      The same checks over a record made before (the checker's own test runs it on a fixture).
  check_contract.py live SPEC --daemon LOYALTYD --examples DIR
      Runs loyaltyd itself (live_daemon.py): the event stream's 101 and every message against
      the EventMessage schema, the refusals the API tests cannot record (408, 503), and the
      replies of a short till session.

Every mismatch is printed on its own line after "contract: FAILED"; the exit status is 1 then,
0 when everything matches, 2 for a bad command line. Runs under /usr/bin/python3 with Debian's
python3-yaml and python3-jsonschema (scripts/install-deps.sh).
"""

import argparse
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

try:
    import openapi_document
    import reply_check
except ImportError as missing:  # a clear word rather than a traceback
    print(f"contract: FAILED: {missing}; install python3-yaml and python3-jsonschema "
          f"(scripts/install-deps.sh) and run with /usr/bin/python3")
    sys.exit(1)

API_TESTS = "api:*,limits:*,crash:*"  # Catch2 v2: a comma is "or"; separate arguments are "and"
TESTS_TIMEOUT_S = 600
MIN_REPLIES_DEFAULT = 50


def report(problems, success):
    if problems:
        print(f"contract: FAILED, {len(problems)} problem(s):")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"contract: {success}")
    return 0


def load_document(path):
    try:
        return openapi_document.load(path), []
    except openapi_document.DocumentError as error:
        return None, [str(error)]


def command_document(args):
    document, problems = load_document(args.spec)
    if document is not None:
        problems = [f"{args.spec}: {line}" for line in
                    openapi_document.check_document(document, args.problems, args.routes)]
    count = len(list(openapi_document.operations(document))) if document else 0
    return report(problems, f"{args.spec} is a sound OpenAPI 3.1 document ({count} operations)")


def run_api_tests(tests, record):
    if os.path.exists(record):
        os.remove(record)
    environment = dict(os.environ, LOYALTY_API_RECORD_FILE=record)
    try:
        run = subprocess.run([tests, API_TESTS], env=environment, capture_output=True,
                             text=True, timeout=TESTS_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return [f"{tests}: {error}"]
    if run.returncode != 0:
        tail = (run.stdout + run.stderr).strip().splitlines()[-20:]
        return [f"{tests} '{API_TESTS}' exited {run.returncode}:"] + [f"  {l}" for l in tail]
    if not os.path.exists(record):
        return [f"{tests} recorded nothing in {record} (is LOYALTY_API_RECORD_FILE honoured?)"]
    return []


def command_replies(args):
    document, problems = load_document(args.spec)
    if document is None:
        return report(problems, "")
    record = args.recorded or args.record
    if not args.recorded:
        problems += run_api_tests(args.tests, args.record)
    replies, malformed = reply_check.read_record(record) if os.path.exists(record) else ([], [])
    problems += malformed
    contract = reply_check.Contract(document)
    for reply in replies:
        problems += contract.check(reply)
    if len(replies) < args.min_replies:
        problems.append(f"{record}: {len(replies)} replies recorded, expected at least "
                        f"{args.min_replies}")
    problems += [f"{operation}: never exercised" for operation in contract.never_exercised()]
    if not problems:
        print("contract: statuses seen per operation:")
        print("\n".join(contract.coverage_lines()))
    return report(problems, f"{len(replies)} replies match {args.spec}; every operation was "
                            f"exercised")


def command_live(args):
    import live_daemon  # only this command needs it
    document, problems = load_document(args.spec)
    if document is None:
        return report(problems, "")
    contract = reply_check.Contract(document)
    session = live_daemon.run_session(args.daemon, args.examples, contract)
    return report(session.problems, session.summary())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    document = commands.add_parser("document")
    document.add_argument("spec")
    document.add_argument("--problems", help="firmware/loyaltyd/api/problem.cc")
    document.add_argument("--routes", help="firmware/loyaltyd/api/routes.h")
    replies = commands.add_parser("replies")
    replies.add_argument("spec")
    source = replies.add_mutually_exclusive_group(required=True)
    source.add_argument("--tests", help="the firmware_tests program")
    source.add_argument("--recorded", help="check this record instead of running the tests")
    replies.add_argument("--record", help="where the tests record their replies")
    replies.add_argument("--min-replies", type=int, default=MIN_REPLIES_DEFAULT)
    live = commands.add_parser("live")
    live.add_argument("spec")
    live.add_argument("--daemon", required=True, help="the loyaltyd program")
    live.add_argument("--examples", required=True, help="the examples/ directory")
    args = parser.parse_args()
    if args.command == "replies" and args.tests and not args.record:
        parser.error("replies --tests needs --record FILE")
    handlers = {"document": command_document, "replies": command_replies, "live": command_live}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
