#!/usr/bin/env python3
"""A bounded, seeded schemathesis run against the OpenAPI document that
Roster's server serves.

    python fuzz.py http://127.0.0.1:PORT

Run by `cargo xtask test` (step "OpenAPI fuzzing (schemathesis)") against a
fresh dev server (demo data). It signs in as the demo owner, makes an
organization for the run with a member, a custom assignment and pending
invitations, and points every operation's path parameters at those objects
so that requests reach the handlers rather than stopping at the access
gate. It fails on any server error, any status the document does not list,
any answer that breaks its schema or content type, and any request valid
under the document that the server rejects (400, 413, 415, 422).

Generated values that must name something that exists (assignment ids, a
successor, a cursor) or lie in the future (an invitation's expiry) are
replaced with such values (hooks.py): no schema can say which ids exist
or what time it is.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
DEMO_PASSWORD = "roster-demo"

SEED = 20261202
EXAMPLES_PER_OPERATION = 30
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
]


def api(method, path, body=None, token=None):
    request = urllib.request.Request(
        f"{BASE}/api{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        sys.exit(f"setting up: {method} {path}: HTTP {error.code}: {error.read().decode()}")


def status_of(method, path, body, token):
    request = urllib.request.Request(
        f"{BASE}/api{path}",
        method=method,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def sign_in(email):
    return api("POST", "/auth/sign-in", {"email": email, "password": DEMO_PASSWORD})["token"]


def join(owner, org, member, member_email):
    invitation = api("POST", f"/organizations/{org}/invitations", {"email": member_email}, owner)
    api("POST", f"/organizations/invitations/{invitation['id']}/accept", {}, member)


def invite(owner, org, email):
    return api("POST", f"/organizations/{org}/invitations", {"email": email}, owner)["id"]


def role(owner, org, name):
    body = {"name": name, "description": "", "permissions": ["read:runners"]}
    return api("POST", f"/organizations/{org}/roles", body, owner)["id"]


def prepare():
    """The objects the run's requests name. Operations that end what they
    act on (delete, leave, cancel, decline, remove) get objects of their
    own, so that the other operations keep theirs for the whole run."""
    alice = sign_in("alice@example.com")
    bob = sign_in("bob@example.com")
    carol = sign_in("carol@example.com")
    bob_id = api("GET", "/users/me", token=bob)["id"]
    carol_id = api("GET", "/users/me", token=carol)["id"]

    org = api("POST", "/organizations", {"name": "Fuzz Co"}, alice)["id"]
    join(alice, org, bob, "bob@example.com")
    join(alice, org, carol, "carol@example.com")
    spare = api("POST", "/organizations", {"name": "Fuzz Spare"}, alice)["id"]
    left = api("POST", "/organizations", {"name": "Fuzz Leave"}, alice)["id"]
    join(alice, left, bob, "bob@example.com")
    # Invitations addressed to the signed-in user, to answer.
    incoming = []
    for name in ("Bob's Fuzz", "Bob's Other Fuzz"):
        theirs = api("POST", "/organizations", {"name": name}, bob)["id"]
        incoming.append(invite(bob, theirs, "alice@example.com"))
    roles = api("GET", f"/organizations/{org}/roles", token=alice)
    log = api("GET", f"/audit/organizations/{org}?limit=1", token=alice)
    return {
        "token": alice,
        "organization": org,
        "spare_organization": spare,
        "left_organization": left,
        "member": bob_id,
        "removed_member": carol_id,
        "successor": bob_id,
        "role": role(alice, org, "Fuzzed"),
        "deleted_role": role(alice, org, "Deleted"),
        "role_ids": [r["id"] for r in roles],
        "invitation": invite(alice, org, "invitee@fuzz.example"),
        "cancelled_invitation": invite(alice, org, "cancelled@fuzz.example"),
        "incoming_invitation": incoming[0],
        "declined_invitation": incoming[1],
        "cursor": log["nextToken"],
    }


def config(ids, report):
    """schemathesis.toml for this run (TOML strings are JSON strings here)."""
    checks = "\n".join(f"{check}.enabled = true" for check in CHECKS)
    # Operations that act on an object of their own.
    own = [
        ("deleteOrganization", "organizationId", ids["spare_organization"]),
        ("leaveOrganization", "organizationId", ids["left_organization"]),
        ("deleteOrganizationMember", "userId", ids["removed_member"]),
        ("deleteOrganizationRole", "roleId", ids["deleted_role"]),
        ("cancelOrganizationInvitation", "invitationId", ids["cancelled_invitation"]),
        ("acceptOrganizationInvitation", "invitationId", ids["incoming_invitation"]),
        (
            "getOrganizationInvitationForAuthenticatedUser",
            "invitationId",
            ids["incoming_invitation"],
        ),
        ("declineOrganizationInvitation", "invitationId", ids["declined_invitation"]),
    ]
    operations = "\n".join(
        f"""
[[operations]]
include-operation-id = "{operation}"
parameters = {{ {name} = "{value}" }}"""
        for operation, name, value in own
    )
    return f"""
seed = {SEED}
workers = 1
hooks = "hooks"

# Every run starts from nothing: no examples or crashes kept between runs.
[cache]
enabled = false

[generation]
max-examples = {EXAMPLES_PER_OPERATION}
database = "none"

[phases.stateful]
enabled = false

[checks]
enabled = false
{checks}

[headers]
Authorization = "Bearer {ids["token"]}"

[reports.json]
enabled = true
path = {json.dumps(str(report))}

[parameters]
organizationId = "{ids["organization"]}"
userId = "{ids["member"]}"
roleId = "{ids["role"]}"
invitationId = "{ids["invitation"]}"
{operations}

# Signing out would end the run's session.
[[operations]]
include-operation-id = "signOut"
enabled = false

# A verification token comes only by mail: any other is refused (400,
# "This verification link is invalid or has expired").
[[operations]]
include-operation-id = "verifyEmail"
checks.positive_data_acceptance.enabled = false
"""


# Names and addresses at the edges of roster-core's rules (the cases of
# its own tests): the patterns of the document must say what the server
# does, both ways. Fuzzing only tries the one way, and rarely at the edges.
NAMES = [
    "Acme Corp", "Société Générale", "数据团队", "Acme\tCorp", "R&D <3", "a < b",
    "Big data: team", "Metadata:2024", "Awww.cute", "O'Brien & Sons", "x" * 50,
    "<b>x</b>", "</script>", "a<!-- b -->", "http://x", "Visit https://evil.example",
    "ftp://files", "www.x.com", "Go to WWW.Example.com", "javascript:alert(1)",
    "JavaScript:alert(1)", "data:text/html,hi", "a\u0007b", "a\u0000b", "", " \t\n ",
    "x" * 51,
]
ADDRESSES = [
    "Ada.Lovelace+roster@Example.co.uk", "a@b.c", "jörg@bücher.de", "a@b-c.d",
    "ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "ada@exa@mple.com",
    "ada lovelace@example.com", "ada@example..com", "ada@.example.com", "ada@example.com.",
    "ada@-example.com", ".ada@example.com", "ada..l@example.com", "Ada <ada@example.com>",
    "ada@example.com,bob@example.com", "a@b-.c",
]


def patterns_agree_with_the_server(ids):
    document = api("GET", "/openapi.json")
    schemas = document["components"]["schemas"]
    org = ids["organization"]
    cases = [
        (
            schemas["UpdateOrganization"]["properties"]["name"],
            NAMES,
            lambda name: ("PATCH", f"/organizations/{org}", {"name": name}),
        ),
        (
            schemas["CreateOrganizationInvitation"]["properties"]["email"],
            ADDRESSES,
            lambda email: ("POST", f"/organizations/{org}/invitations", {"email": email}),
        ),
    ]
    disagreements = []
    for schema, samples, request in cases:
        for sample in samples:
            documented = (
                re.search(schema["pattern"], sample) is not None
                and schema.get("minLength", 0) <= len(sample) <= schema["maxLength"]
            )
            status = status_of(*request(sample), ids["token"])
            if documented != (status != 400):
                disagreements.append(f"{sample!r}: documented {documented}, server {status}")
    if disagreements:
        sys.exit("the document's patterns and the server disagree:\n" + "\n".join(disagreements))
    print(f"{len(NAMES)} names and {len(ADDRESSES)} addresses: the patterns say what the server does")


def summary(report):
    """One line of what the run did, and the operations whose valid
    requests the server never got past (e.g. a rate limit)."""
    outcome = json.loads(report.read_text())
    cases = outcome["test_cases"]
    line = (
        f"schemathesis {outcome['schemathesis_version']}: "
        f"{outcome['operations']['tested']} operations, {cases['generated']} test cases, "
        f"{cases['unique_failures']} failures, {cases['errored']} errors "
        f"in {outcome['running_time']:.0f} s (seed {outcome['seed']})"
    )
    notes = [
        f"  {kind}: {', '.join(operations)}"
        for kind, operations in outcome["warnings"].items()
        if operations
    ]
    return "\n".join([line, *notes])


def main():
    ids = prepare()
    patterns_agree_with_the_server(ids)
    st = Path(sys.executable).with_name("st")
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        settings = Path(scratch) / "schemathesis.toml"
        settings.write_text(config(ids, report))
        command = [str(st), "--config-file", str(settings), "run", f"{BASE}/api/openapi.json"]
        environment = dict(
            os.environ,
            NO_COLOR="1",
            PYTHONPATH=str(Path(__file__).resolve().parent),
            ROSTER_FUZZ_STATE=json.dumps(ids),
        )
        outcome = subprocess.run(command, env=environment, cwd=scratch)
        if report.exists():
            print(summary(report))
    sys.exit(outcome.returncode)


if __name__ == "__main__":
    main()
