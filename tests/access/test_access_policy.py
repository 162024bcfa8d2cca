"""The policy as a table: every role × action × sensitivity, and what ``visible`` removes."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.access.policy import Forbidden, Principal, decide, policy, require, visible

CASE, OTHER = "case_a", "case_b"
P, R, C = "public", "restricted", "confidential"

# What each role may do, as the highest sensitivity allowed; "-" means never. This table IS the
# policy's documentation: change policy.yaml and this table together, on purpose.
EXPECTED = {
    # columns: read, write, analyse, judge, missing.read, missing.write, export, audit.read,
    # roles.manage, registry.read, evidence.download
    "owner":          (C,  C,   C,     C,   C,      C,      C,     C,    C,     C,     C),
    "investigator":   (C,  C,   R,     R,   R,      "-",    R,     "-",  "-",   C,     C),
    "analyst":        (R,  "-", R,     "-", "-",    "-",    "-",   "-",  "-",   R,     "-"),
    "reviewer":       (R,  "-", "-",   R,   "-",    "-",    "-",   "-",  "-",   R,     "-"),
    "family_liaison": (P,  "-", "-",   "-", C,      C,      "-",   "-",  "-",   "-",   "-"),
    "viewer":         (P,  "-", "-",   "-", "-",    "-",    "-",   "-",  "-",   "-",   "-"),
}  # fmt: skip
ACTIONS = ("read", "write", "analyse", "judge", "missing.read", "missing.write", "export",
           "audit.read", "roles.manage", "registry.read", "evidence.download")  # fmt: skip
LEVELS = (P, R, C)


def _allowed(highest: str, level: str) -> bool:
    return highest != "-" and LEVELS.index(level) <= LEVELS.index(highest)


MATRIX = [
    pytest.param(
        role, action, level, _allowed(EXPECTED[role][i], level), id=f"{role}-{action}-{level}"
    )
    for role in EXPECTED
    for i, action in enumerate(ACTIONS)
    for level in LEVELS
]


def test_table_names_every_role_and_action_of_the_policy() -> None:
    assert set(EXPECTED) == set(policy().roles)
    assert set(ACTIONS) == set(policy().actions)


@pytest.mark.parametrize(("role", "action", "level", "allowed"), MATRIX)
def test_role_action_sensitivity_matrix(role: str, action: str, level: str, allowed: bool) -> None:
    user = Principal(name="u", via="session", user_id="usr_1", roles={CASE: role})
    decision = decide(user, action, CASE, level)
    assert decision.allowed is allowed, decision.reason
    # The same role in another case gives nothing here, and nothing there without a role.
    assert not decide(user, action, OTHER, level).allowed
    token = Principal(name="u", via="token", user_id="usr_1", roles={CASE: role})
    assert decide(token, action, CASE, level).allowed is allowed


@pytest.mark.parametrize("action", ACTIONS)
def test_instance_admin_without_a_role_sees_no_case_data(action: str) -> None:
    admin = Principal(name="root", via="session", user_id="usr_0", is_admin=True)
    assert not decide(admin, action, CASE, P).allowed
    assert decide(admin, "users.manage", None).allowed
    assert decide(admin, "keys.manage", None).allowed


def test_instance_actions_need_an_admin_and_never_a_token() -> None:
    owner = Principal(name="o", via="session", user_id="usr_1", roles={CASE: "owner"})
    assert not decide(owner, "users.manage", None).allowed
    admin_token = Principal(name="root", via="token", user_id="usr_0", is_admin=True)
    assert not decide(admin_token, "users.manage", None).allowed


def test_unknown_action_role_or_level_is_refused() -> None:
    odd = Principal(name="u", via="session", roles={CASE: "superuser"})
    owner = Principal(name="u", via="session", roles={CASE: "owner"})
    assert not decide(odd, "read", CASE, P).allowed
    assert not decide(owner, "delete_everything", CASE, P).allowed
    assert not decide(owner, "read", CASE, "top-secret").allowed


def test_require_raises_forbidden_with_the_reason() -> None:
    viewer = Principal(name="v", via="session", roles={CASE: "viewer"})
    with pytest.raises(Forbidden, match="viewer may read up to public, not confidential"):
        require(viewer, "read", CASE, C)


@given(
    role=st.sampled_from(sorted(EXPECTED)),
    action=st.sampled_from(ACTIONS),
    lower=st.sampled_from(LEVELS),
    higher=st.sampled_from(LEVELS),
)
def test_allowing_a_level_allows_every_lower_one(
    role: str, action: str, lower: str, higher: str
) -> None:
    user = Principal(name="u", via="session", roles={CASE: role})
    if LEVELS.index(lower) <= LEVELS.index(higher) and decide(user, action, CASE, higher).allowed:
        assert decide(user, action, CASE, lower).allowed


def _view() -> dict[str, object]:
    return {
        "id": "per_a",
        "sensitivity": R,
        "fields": {"sex": "male"},
        "confidential": {"phone": "CANARY-PHONE"},
        "relations": [
            {"id": "rel_pub", "other": {"id": "inc_pub", "label": "Tadamon massacre"}},
            {"id": "rel_conf", "other": {"id": "per_witness", "label": "Witness W"}},
        ],
    }


LEVELS_OF = {"inc_pub": P, "per_witness": C, "rel_pub": R, "rel_conf": R}


@pytest.mark.parametrize("role", ["viewer", "family_liaison"])
def test_visible_drops_records_above_public_for_viewer_and_liaison(role: str) -> None:
    who = Principal(name="v", via="session", roles={CASE: role})
    assert visible(who, CASE, _view(), LEVELS_OF) is None  # the person is restricted
    public = _view() | {"sensitivity": P}
    shown = visible(who, CASE, public, LEVELS_OF)
    assert shown is not None
    assert "confidential" not in shown
    assert shown["relations"] == []  # both relations are restricted
    assert "CANARY" not in repr(shown)
    assert "Witness W" not in repr(shown)


def test_visible_for_an_analyst_drops_the_confidential_witness_and_values() -> None:
    analyst = Principal(name="a", via="session", roles={CASE: "analyst"})
    shown = visible(analyst, CASE, _view(), LEVELS_OF)
    assert shown is not None
    assert [r["id"] for r in shown["relations"]] == ["rel_pub"]  # type: ignore[index]
    assert "confidential" not in shown


def test_visible_for_an_owner_keeps_everything_and_does_not_mutate_the_input() -> None:
    owner = Principal(name="o", via="session", roles={CASE: "owner"})
    view = _view()
    assert visible(owner, CASE, view, LEVELS_OF) == view
    stranger = Principal(name="s", via="session", roles={OTHER: "owner"})
    assert visible(stranger, CASE, view, LEVELS_OF) is None
    assert view == _view()


def test_unknown_sensitivity_in_a_view_counts_as_confidential() -> None:
    investigator_less = Principal(name="a", via="session", roles={CASE: "analyst"})
    assert visible(investigator_less, CASE, {"id": "x", "sensitivity": "secret??"}) is None


def test_matrix_size() -> None:
    assert len(MATRIX) == len(list(itertools.product(EXPECTED, ACTIONS, LEVELS))) == 198
