"""schemathesis hooks for fuzz.py: values no schema can make valid.

A document can say that `assignedRoleIds` holds strings, not which ids
exist in the organization; that `expiresAt` is a date-time, not that it
lies in the future; that `nextToken` is a string, not which cursor the
server handed out. Generated values of the right type are replaced with
values that are valid now (the objects fuzz.py made, passed in
ROSTER_FUZZ_STATE); values of the wrong type are left alone, so the
negative cases stay negative.
"""

import json
import os
import zlib
from datetime import datetime, timezone

import schemathesis

STATE = json.loads(os.environ["ROSTER_FUZZ_STATE"])
FUTURE = "2099-01-01T00:00:00Z"


def pick(choices, seed):
    """One of `choices`, the same one for the same generated value."""
    return choices[zlib.crc32(seed.encode()) % len(choices)]


def in_the_past(text):
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False  # not a date-time: a negative case
    if at.tzinfo is None:
        return False
    return at <= datetime.now(timezone.utc)


def valid_body(body):
    if not isinstance(body, dict):
        return body
    ids = body.get("assignedRoleIds")
    if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
        body["assignedRoleIds"] = [pick(STATE["role_ids"], i) for i in ids]
    # A bulk request's assignment must be one the organization offers.
    if isinstance(body.get("assignmentId"), str):
        body["assignmentId"] = pick(STATE["role_ids"], body["assignmentId"])
    if isinstance(body.get("successorId"), str):
        body["successorId"] = STATE["successor"]
    expiry = body.get("expiresAt")
    if isinstance(expiry, str) and in_the_past(expiry):
        body["expiresAt"] = FUTURE
    return body


def valid_query(query):
    if not isinstance(query, dict):
        return query
    if isinstance(query.get("nextToken"), str):
        query["nextToken"] = STATE["cursor"]
    # `from`/`to` stand for createdAt[gte]/[lte] (the filters arrive here as
    # `name[operator]` keys): given both, the server asks them to agree
    # (400 otherwise). Keep the filter, drop the alias.
    for alias, bound in (("from", "createdAt[gte]"), ("to", "createdAt[lte]")):
        if alias in query and bound in query:
            del query[alias]
    return query


# `map_case` is the one hook every phase applies (Coverage included).
@schemathesis.hook
def map_case(context, case):
    case.body = valid_body(case.body)
    case.query = valid_query(case.query)
    return case
