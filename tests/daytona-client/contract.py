#!/usr/bin/env python3
"""Drives Roster's server with Daytona's published Python client.

    python contract.py http://127.0.0.1:PORT

Run by `cargo xtask test` (step "Daytona clients (Python)") once for each
pinned `daytona-api-client` version, against a fresh server in dev mode
(new accounts are verified at once). Users sign up and in through Roster's
own `/api/auth` endpoints (plain urllib); everything else goes through the
client, which validates every field it receives. Any answer the client
cannot parse, any unexpected HTTP error and any answer that does not say
what a user would expect fails the run with the operation's name.

One known defect of the published clients is worked around, after proving
that it is exactly that defect: they declare `Organization.suspendedAt`,
`suspensionReason` and `suspendedUntil` required and not nullable, but
Daytona's own server (like Roster's) sends `null` for them on an
organization that is not suspended.
"""

import json
import sys
import typing
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Optional

import pydantic

import daytona_api_client as daytona
from daytona_api_client.models import (
    CreateOrganization,
    CreateOrganizationInvitation,
    CreateOrganizationRole,
    Organization,
    UpdateOrganizationDefaultRegion,
    UpdateOrganizationInvitation,
    UpdateOrganizationMemberAccess,
    UpdateOrganizationRole,
)

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
VERSION = daytona.__version__
PASSWORD = "contract-password"

# The fields the clients get wrong (see the module documentation).
SUSPENSION_FIELDS = {"suspended_at", "suspension_reason", "suspended_until"}

# Whether this client knows Daytona's later additions (0.231: audit
# filters and scenarios, the v0.205 organization fields).
HAS_AUDIT_FILTERS = hasattr(daytona, "StringFilter")
HAS_V205_FIELDS = "secret_quota" in Organization.model_fields

driven = []


class ContractFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise ContractFailure(message)


# ---------------------------------------------------------------------------
# Roster's own sign-up, with urllib


def roster_request(method, path, body=None, token=None):
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
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise ContractFailure(f"{method} {path}: HTTP {error.code}: {error.read().decode()}")


class Person:
    """A signed-up user and the client APIs acting as them."""

    def __init__(self, name, email):
        session = roster_request(
            "POST", "/auth/sign-up", {"email": email, "password": PASSWORD, "name": name}
        )
        check(session["user"]["email"] == email, f"sign-up answered {session['user']}")
        # Signing in again proves the password works and gives the session we use.
        session = roster_request("POST", "/auth/sign-in", {"email": email, "password": PASSWORD})
        self.name = name
        self.email = email
        self.id = session["user"]["id"]
        self.token = session["token"]
        client = daytona.ApiClient(
            daytona.Configuration(host=f"{BASE}/api", access_token=self.token)
        )
        self.organizations = daytona.OrganizationsApi(client)
        self.audit = daytona.AuditApi(client)
        self.regions = daytona.RegionsApi(client)
        self.users = daytona.UsersApi(client)


# ---------------------------------------------------------------------------
# Calling the client


def missing_required_keys(annotation, data, at):
    """Keys a model requires that `data` lacks, recursively. The client
    reads absent keys as None, so a required but nullable field that Roster
    left out would go unnoticed by its validation alone."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        yield from missing_required_keys(arguments[0], data, at)
    elif origin is typing.Union:
        for argument in arguments:
            yield from missing_required_keys(argument, data, at)
    elif origin is list and isinstance(data, list):
        for index, item in enumerate(data):
            yield from missing_required_keys(arguments[0], item, f"{at}[{index}]")
    elif isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if not isinstance(data, dict):
            return
        for name, field in annotation.model_fields.items():
            key = field.serialization_alias or field.alias or name
            if key in data:
                yield from missing_required_keys(field.annotation, data[key], f"{at}.{key}")
            elif field.is_required():
                yield f"{at}.{key}"


def response_model(response_type):
    """The annotation the client deserializes `List[Organization]` and the
    like into."""
    if response_type.startswith("List["):
        return typing.List[response_model(response_type[5:-1])]
    return getattr(daytona.models, response_type, None)


# Every answer's JSON is read once more, as received, before the client
# parses it: the client itself is left as it is.
parse_answer = daytona.ApiClient.deserialize


def deserialize_checking_required_keys(client, text, response_type, content_type):
    model = response_model(response_type) if isinstance(response_type, str) else None
    if model is not None and text:
        missing = list(missing_required_keys(model, json.loads(text), "$"))
        if missing:
            raise ContractFailure(
                f"Roster's answer lacks keys that {response_type} requires: {', '.join(missing)}"
            )
    return parse_answer(client, text, response_type, content_type)


daytona.ApiClient.deserialize = deserialize_checking_required_keys


def call(operation, method, *args, **kwargs):
    """One client operation; a parse error or an HTTP error fails the run."""
    try:
        result = method(*args, **kwargs)
    except pydantic.ValidationError as error:
        raise ContractFailure(
            f"{operation}: daytona-api-client {VERSION} cannot parse Roster's answer:\n{error}"
        )
    except daytona.ApiException as error:
        raise ContractFailure(f"{operation}: HTTP {error.status}: {error.body}")
    except ContractFailure as failure:
        raise ContractFailure(f"{operation}: {failure}")
    if method.__name__ not in driven:
        driven.append(method.__name__)
    return result


def refused(operation, status, method, *args, **kwargs):
    """An operation that must fail with `status` (its error body is Roster's)."""
    try:
        method(*args, **kwargs)
    except daytona.ApiException as error:
        check(
            error.status == status,
            f"{operation}: expected HTTP {status}, got {error.status}: {error.body}",
        )
        body = json.loads(error.body)
        check(body["statusCode"] == status and body["message"], f"{operation}: error body {body}")
        return body["message"]
    raise ContractFailure(f"{operation}: expected HTTP {status}, but it succeeded")


# ---------------------------------------------------------------------------
# The Organization defect: proven, then patched


def prove_and_patch_organization_defect(person):
    """The unpatched model must fail on a real Roster organization for exactly
    the three suspension fields; then they are made nullable, nothing else."""
    listed = roster_request("GET", "/organizations", token=person.token)
    raw = listed[0]
    check(
        all(raw[key] is None for key in ("suspendedAt", "suspensionReason", "suspendedUntil")),
        f"an unsuspended organization sends null suspension fields: {raw}",
    )
    try:
        Organization.from_dict(raw)
    except pydantic.ValidationError as error:
        failing = {e["loc"][0] for e in error.errors()}
        check(
            failing == SUSPENSION_FIELDS,
            "the unpatched Organization model should fail on exactly "
            f"{sorted(SUSPENSION_FIELDS)}, but failed on {sorted(failing)}:\n{error}",
        )
    else:
        raise ContractFailure(
            f"daytona-api-client {VERSION} parses an unsuspended organization unpatched: "
            "Daytona fixed the model; remove the patch from this script and the README"
        )
    # The workaround documented in the README.
    for name in SUSPENSION_FIELDS:
        field = Organization.model_fields[name]
        field.annotation = Optional[field.annotation]
    Organization.model_rebuild(force=True)
    parsed = Organization.from_dict(raw)
    check(parsed.suspended_at is None, "the patched model parses the organization")


# ---------------------------------------------------------------------------
# The scenario


def constant_fields_are_truthful(org, where):
    """What Roster does not have is said plainly (README: Daytona compatibility)."""
    expected = {
        "suspended": False,
        "suspended_at": None,
        "suspension_reason": None,
        "suspended_until": None,
        "sandbox_limited_network_egress": False,
    }
    if HAS_V205_FIELDS:
        expected.update(
            secret_quota=0,
            max_secrets_per_sandbox=0,
            default_queue_timeout=None,
            preview_warning_enabled=False,
            sso_enabled=False,
            scim_enabled=False,
        )
    for name, value in expected.items():
        actual = getattr(org, name)
        check(actual == value, f"{where}: {name} is {actual!r}, expected {value!r}")


def organizations(ada, bob):
    regions = call("list_shared_regions", ada.regions.list_shared_regions)
    region_ids = [region.id for region in regions]
    check(region_ids and all(r.region_type == "shared" for r in regions), f"regions: {regions}")

    me = call("get_authenticated_user", ada.users.get_authenticated_user)
    check((me.id, me.email, me.name) == (ada.id, ada.email, ada.name), f"users/me: {me}")

    mine = call("list_organizations", ada.organizations.list_organizations)
    personal = [org for org in mine if org.personal]
    check(len(mine) == 1 and len(personal) == 1, f"a new user has one personal org: {mine}")
    personal = personal[0]
    constant_fields_are_truthful(personal, "personal organization")

    created = call(
        "create_organization",
        ada.organizations.create_organization,
        CreateOrganization(name="Contract Co", default_region_id=region_ids[0]),
    )
    check(created.name == "Contract Co" and not created.personal, f"created: {created}")
    check(created.created_by == ada.id, f"created by {created.created_by}, not {ada.id}")
    check(created.default_region_id == region_ids[0], f"default region: {created}")
    constant_fields_are_truthful(created, "created organization")
    listed = call("list_organizations", ada.organizations.list_organizations)
    check(
        {org.id for org in listed} == {personal.id, created.id},
        f"the new organization is listed: {[org.name for org in listed]}",
    )
    fetched = call("get_organization", ada.organizations.get_organization, created.id)
    check(fetched.id == created.id and fetched.name == "Contract Co", f"get: {fetched}")

    # The personal organization has no default region yet; set it once.
    check(personal.default_region_id is None, f"personal default region: {personal}")
    call(
        "set_organization_default_region",
        ada.organizations.set_organization_default_region,
        personal.id,
        UpdateOrganizationDefaultRegion(default_region_id=region_ids[-1]),
    )
    personal = call("get_organization", ada.organizations.get_organization, personal.id)
    check(personal.default_region_id == region_ids[-1], f"default region set: {personal}")
    refused(
        "set_organization_default_region (again)",
        409,
        ada.organizations.set_organization_default_region,
        personal.id,
        UpdateOrganizationDefaultRegion(default_region_id=region_ids[0]),
    )

    usage = call(
        "get_organization_usage_overview",
        ada.organizations.get_organization_usage_overview,
        created.id,
    )
    check(
        sorted(r.region_id for r in usage.region_usage) == sorted(region_ids),
        f"usage lists every shared region: {usage}",
    )

    # Somebody else's organization is not theirs to read.
    refused(
        "get_organization (not a member)",
        403,
        bob.organizations.get_organization,
        created.id,
    )
    return created


def roles(ada, org_id):
    listed = call("list_organization_roles", ada.organizations.list_organization_roles, org_id)
    global_roles = {role.name: role for role in listed if role.is_global}
    check(
        {"Developer", "Auditor"} <= set(global_roles) and all(r.is_global for r in listed),
        f"a new organization lists the global assignments: {[r.name for r in listed]}",
    )
    permissions = ["write:sandboxes", "read:audit_logs"]
    if HAS_V205_FIELDS:
        permissions.append("manage:secrets")  # one of v0.205's permissions
    maintainer = call(
        "create_organization_role",
        ada.organizations.create_organization_role,
        org_id,
        CreateOrganizationRole(
            name="Maintainer", description="Keeps things running", permissions=permissions
        ),
    )
    check(
        (maintainer.name, sorted(maintainer.permissions), maintainer.is_global)
        == ("Maintainer", sorted(permissions), False),
        f"created role: {maintainer}",
    )
    updated = call(
        "update_organization_role",
        ada.organizations.update_organization_role,
        org_id,
        maintainer.id,
        UpdateOrganizationRole(
            name="Maintainers",
            description="Keeps things running",
            permissions=["write:sandboxes", "delete:sandboxes"],
        ),
    )
    check(updated.name == "Maintainers", f"updated role: {updated}")
    listed = call("list_organization_roles", ada.organizations.list_organization_roles, org_id)
    check(
        [(r.name, sorted(r.permissions)) for r in listed if r.id == maintainer.id]
        == [("Maintainers", ["delete:sandboxes", "write:sandboxes"])],
        f"the role is listed as updated: {listed}",
    )
    doomed = call(
        "create_organization_role",
        ada.organizations.create_organization_role,
        org_id,
        CreateOrganizationRole(name="Temporary", description="", permissions=["read:runners"]),
    )
    call("delete_organization_role", ada.organizations.delete_organization_role, org_id, doomed.id)
    listed = call("list_organization_roles", ada.organizations.list_organization_roles, org_id)
    check(doomed.id not in {r.id for r in listed}, "the deleted role is gone")
    return global_roles, maintainer.id


def invitations_and_members(ada, bob, carol, dora, org_id, global_roles, maintainer_id):
    developer = global_roles["Developer"].id
    auditor = global_roles["Auditor"].id

    def invite(email, assigned):
        invitation = call(
            "create_organization_invitation",
            ada.organizations.create_organization_invitation,
            org_id,
            CreateOrganizationInvitation(email=email, role="member", assigned_role_ids=assigned),
        )
        check(
            (invitation.email, invitation.status, invitation.invited_by, invitation.organization_id)
            == (email.lower(), "pending", ada.email, org_id),
            f"invitation: {invitation}",
        )
        return invitation

    to_bob = invite(bob.email, [developer])
    to_carol = invite(carol.email.upper(), [developer])  # stored lower-cased, matched so
    to_dora = invite(dora.email, [developer])
    to_erin = invite("erin@example.com", [developer])
    pending = call(
        "list_organization_invitations", ada.organizations.list_organization_invitations, org_id
    )
    check(
        {i.id for i in pending} == {to_bob.id, to_carol.id, to_dora.id, to_erin.id},
        f"the organization lists its pending invitations: {[i.email for i in pending]}",
    )

    changed = call(
        "update_organization_invitation",
        ada.organizations.update_organization_invitation,
        org_id,
        to_carol.id,
        UpdateOrganizationInvitation(role="member", assigned_role_ids=[maintainer_id]),
    )
    check(
        [r.id for r in changed.assigned_roles] == [maintainer_id],
        f"the invitation's assignments changed: {changed.assigned_roles}",
    )
    call(
        "cancel_organization_invitation",
        ada.organizations.cancel_organization_invitation,
        org_id,
        to_erin.id,
    )

    # The invitees' side.
    for person, invitation in ((bob, to_bob), (carol, to_carol), (dora, to_dora)):
        theirs = call(
            "list_organization_invitations_for_authenticated_user",
            person.organizations.list_organization_invitations_for_authenticated_user,
        )
        check(
            [i.id for i in theirs] == [invitation.id],
            f"{person.email} sees their invitation: {theirs}",
        )
        count = call(
            "get_organization_invitations_count_for_authenticated_user",
            person.organizations.get_organization_invitations_count_for_authenticated_user,
        )
        check(count == 1, f"{person.email}'s invitation count is {count}")
    for person, invitation in ((bob, to_bob), (carol, to_carol)):
        accepted = call(
            "accept_organization_invitation",
            person.organizations.accept_organization_invitation,
            invitation.id,
        )
        check(accepted.status == "accepted", f"accepted: {accepted}")
    call(
        "decline_organization_invitation",
        dora.organizations.decline_organization_invitation,
        to_dora.id,
    )
    count = call(
        "get_organization_invitations_count_for_authenticated_user",
        dora.organizations.get_organization_invitations_count_for_authenticated_user,
    )
    check(count == 0, f"a declined invitation is no longer counted: {count}")
    refused(
        "accept_organization_invitation (declined)",
        403,
        dora.organizations.accept_organization_invitation,
        to_dora.id,
    )
    pending = call(
        "list_organization_invitations", ada.organizations.list_organization_invitations, org_id
    )
    check(pending == [], f"no invitation is pending any more: {pending}")

    members = call(
        "list_organization_members", ada.organizations.list_organization_members, org_id
    )
    by_id = {m.user_id: m for m in members}
    check(
        set(by_id) == {ada.id, bob.id, carol.id},
        f"the accepted invitations are members: {[m.email for m in members]}",
    )
    check(by_id[ada.id].role == "owner", f"the creator owns it: {by_id[ada.id]}")
    check(
        [r.id for r in by_id[carol.id].assigned_roles] == [maintainer_id],
        f"carol joined with the invitation's assignment: {by_id[carol.id].assigned_roles}",
    )

    updated = call(
        "update_access_for_organization_member",
        ada.organizations.update_access_for_organization_member,
        org_id,
        bob.id,
        UpdateOrganizationMemberAccess(role="member", assigned_role_ids=[auditor, maintainer_id]),
    )
    check(
        sorted(r.id for r in updated.assigned_roles) == sorted([auditor, maintainer_id]),
        f"bob's access changed: {updated.assigned_roles}",
    )
    members = call(
        "list_organization_members", ada.organizations.list_organization_members, org_id
    )
    bob_now = next(m for m in members if m.user_id == bob.id)
    check(
        sorted(r.id for r in bob_now.assigned_roles) == sorted([auditor, maintainer_id]),
        f"the member list shows bob's new access: {bob_now.assigned_roles}",
    )
    message = refused(
        "update_access_for_organization_member (own access)",
        403,
        ada.organizations.update_access_for_organization_member,
        org_id,
        ada.id,
        UpdateOrganizationMemberAccess(role="member", assigned_role_ids=[]),
    )
    check("own access" in message, f"refusal says why: {message}")


def audit_log(ada, bob, org_id):
    everything = call(
        "get_organization_audit_logs", ada.audit.get_organization_audit_logs, org_id, limit=200
    )
    entries = everything.items
    check(everything.total == len(entries) > 0, f"the log's total: {everything.total}")
    check(
        all(e.organization_id == org_id for e in entries),
        "every entry belongs to the organization",
    )
    actions = {(e.target_type, e.action) for e in entries}
    for expected in [
        ("organization", "create"),
        ("organization_role", "create"),
        ("organization_role", "delete"),
        ("organization_invitation", "create"),
        ("organization_invitation", "accept"),
        ("organization_invitation", "decline"),
        ("organization_invitation", "cancel"),
        ("organization_user", "update_access"),
    ]:
        check(expected in actions, f"the log records {expected}: {sorted(actions)}")
    check(
        entries == sorted(entries, key=lambda e: e.created_at, reverse=True),
        "newest first",
    )

    # Pages and the cursor walk the same entries.
    first = call(
        "get_organization_audit_logs", ada.audit.get_organization_audit_logs, org_id, limit=2
    )
    second = call(
        "get_organization_audit_logs",
        ada.audit.get_organization_audit_logs,
        org_id,
        limit=2,
        page=2,
    )
    check(
        [e.id for e in first.items + second.items] == [e.id for e in entries[:4]],
        "pages 1 and 2 are the first four entries",
    )
    check(first.total_pages == -(-len(entries) // 2), f"total pages: {first.total_pages}")
    by_cursor = call(
        "get_organization_audit_logs",
        ada.audit.get_organization_audit_logs,
        org_id,
        limit=2,
        next_token=first.next_token,
    )
    check(
        [e.id for e in by_cursor.items] == [e.id for e in second.items],
        "the cursor continues where page 1 ended",
    )

    # bob holds Auditor (read:audit_logs) since his access changed.
    as_auditor = call(
        "get_organization_audit_logs", bob.audit.get_organization_audit_logs, org_id, limit=200
    )
    check(as_auditor.total == everything.total, "an Auditor reads the same log")

    if HAS_AUDIT_FILTERS:
        audit_filters(ada, bob, org_id, entries)
    # The deprecated `from`/`to` (a time range around everything so far).
    start = min(e.created_at for e in entries) - timedelta(seconds=1)
    end = max(e.created_at for e in entries) + timedelta(seconds=1)
    in_range = call(
        "get_organization_audit_logs (from, to)",
        ada.audit.get_organization_audit_logs,
        org_id,
        limit=200,
        var_from=start,
        to=end,
    )
    check(in_range.total == everything.total, f"from/to around everything: {in_range.total}")
    return entries


def audit_filters(ada, bob, org_id, entries):
    """Each filter of the 0.231 client keeps exactly the entries it names."""

    def filtered(label, keep, **filters):
        page = call(
            f"get_organization_audit_logs ({label})",
            ada.audit.get_organization_audit_logs,
            org_id,
            limit=200,
            **filters,
        )
        expected = [e.id for e in entries if keep(e)]
        check(expected, f"{label}: the scenario has entries to find")
        check(
            [e.id for e in page.items] == expected and page.total == len(expected),
            f"{label}: got {[(e.action, e.status_code) for e in page.items]} "
            f"(total {page.total}), expected {len(expected)} entries",
        )

    filtered("action eq", lambda e: e.action == "create", action=daytona.StringFilter(eq="create"))
    filtered(
        "action in",
        lambda e: e.action in ("accept", "decline"),
        action=daytona.StringFilter(var_in=["accept", "decline"]),
    )
    filtered(
        "action notIn",
        lambda e: e.action not in ("create", "update"),
        action=daytona.StringFilter(not_in=["create", "update"]),
    )
    filtered(
        "targetType not",
        lambda e: e.target_type != "organization_invitation",
        target_type=daytona.StringFilter(var_not="organization_invitation"),
    )
    filtered("actorId eq", lambda e: e.actor_id == bob.id, actor_id=daytona.StringFilter(eq=bob.id))
    filtered(
        "actorEmail eq",
        lambda e: e.actor_email == ada.email,
        actor_email=daytona.StringFilter(eq=ada.email),
    )
    filtered(
        "statusCode gte",
        lambda e: (e.status_code or 0) >= 400,
        status_code=daytona.IntFilter(gte=400),
    )
    filtered(
        "statusCode lt",
        lambda e: (e.status_code or 0) < 300,
        status_code=daytona.IntFilter(lt=300),
    )
    middle = entries[len(entries) // 2].created_at
    filtered(
        "createdAt gte",
        lambda e: e.created_at >= middle,
        created_at=daytona.DateFilter(gte=middle),
    )
    filtered(
        "action and statusCode",
        lambda e: e.action == "update_access" and (e.status_code or 0) >= 400,
        action=daytona.StringFilter(eq="update_access"),
        status_code=daytona.IntFilter(gte=400),
    )

    scenarios = call("get_audit_scenarios", ada.audit.get_audit_scenarios)
    offered = {t.target_type: set(t.actions) for t in scenarios.targets}
    for entry in entries:
        check(
            entry.action in offered.get(entry.target_type, set()),
            f"the scenarios name ({entry.target_type}, {entry.action}): {offered}",
        )


def leaving_and_deleting(ada, bob, carol, org_id):
    call("leave_organization", carol.organizations.leave_organization, org_id)
    theirs = call("list_organizations", carol.organizations.list_organizations)
    check(org_id not in {o.id for o in theirs}, "carol no longer lists what she left")
    call("delete_organization_member", ada.organizations.delete_organization_member, org_id, bob.id)
    members = call(
        "list_organization_members", ada.organizations.list_organization_members, org_id
    )
    check([m.user_id for m in members] == [ada.id], f"only ada is left: {members}")
    refused(
        "leave_organization (last owner)",
        403,
        ada.organizations.leave_organization,
        org_id,
    )
    call("delete_organization", ada.organizations.delete_organization, org_id)
    listed = call("list_organizations", ada.organizations.list_organizations)
    check(org_id not in {o.id for o in listed}, "the deleted organization is not listed")
    refused("get_organization (deleted)", 403, ada.organizations.get_organization, org_id)


def main():
    print(f"daytona-api-client {VERSION} against {BASE}", flush=True)
    ada = Person("Ada Contract", "ada@contract.example")
    bob = Person("Bob Contract", "bob@contract.example")
    carol = Person("Carol Contract", "carol@contract.example")
    dora = Person("Dora Contract", "dora@contract.example")
    prove_and_patch_organization_defect(ada)
    org = organizations(ada, bob)
    global_roles, maintainer_id = roles(ada, org.id)
    invitations_and_members(ada, bob, carol, dora, org.id, global_roles, maintainer_id)
    entries = audit_log(ada, bob, org.id)
    leaving_and_deleting(ada, bob, carol, org.id)
    print(
        f"daytona-api-client {VERSION}: {len(driven)} operations, every answer parsed "
        f"({len(entries)} audit entries checked): {', '.join(driven)}"
    )


if __name__ == "__main__":
    try:
        main()
    except ContractFailure as failure:
        print(f"FAILED with daytona-api-client {VERSION}: {failure}", file=sys.stderr)
        sys.exit(1)
