"""Permission creation and union (reference §12.1)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.domain.assets import NewPermissions, Permission
from podium.domain.errors import BadRequest
from podium.domain.permissions import create_permission, create_permissions, union_permission

REGISTERED = ("A", "B", "C")


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (None, Permission(False, ("A",))),
        (NewPermissions(False, ()), Permission(False, ("A",))),
        (NewPermissions(True, ()), Permission(True, ("A",))),
        (NewPermissions(False, ("C", "B")), Permission(False, ("C", "B", "A"))),
        (NewPermissions(False, ("B", "A", "B")), Permission(False, ("B", "A"))),
        (NewPermissions(True, ("unregistered",)), Permission(True, ("unregistered", "A"))),
    ],
    ids=["missing", "private", "public-owner-appended", "order-kept", "duplicates-dropped", "public-any-id"],
)
def test_create_permission(new: NewPermissions | None, expected: Permission) -> None:
    assert create_permission("A", new, REGISTERED) == expected


def test_private_permission_naming_an_unregistered_organization_is_refused() -> None:
    with pytest.raises(BadRequest) as refused:
        create_permission("A", NewPermissions(False, ("B", "Z")), REGISTERED)
    assert str(refused.value) == "OE0003: invalid permission input values"


def test_the_owner_need_not_be_registered() -> None:
    assert create_permission("new", NewPermissions(False, ("B",)), REGISTERED) == Permission(
        False, ("B", "new")
    )


def test_create_permissions_sets_process_and_download_alike() -> None:
    created = create_permissions("A", NewPermissions(False, ("B",)), REGISTERED)
    assert created.process == created.download == Permission(False, ("B", "A"))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (Permission(False, ("B", "A")), Permission(False, ("C", "A")), Permission(False, ("A", "B", "C"))),
        (Permission(True, ("B",)), Permission(False, ("A",)), Permission(True, ("A", "B"))),
        (Permission(False, ()), Permission(True, ()), Permission(True, ())),
    ],
)
def test_union_permission(first: Permission, second: Permission, expected: Permission) -> None:
    assert union_permission(first, second) == expected


permission_values = st.builds(
    Permission, st.booleans(), st.lists(st.sampled_from("ABCDE"), unique=True).map(tuple)
)


@given(permission_values, permission_values)
def test_union_is_commutative_and_grants_whoever_either_grants(first: Permission, second: Permission) -> None:
    union = union_permission(first, second)
    assert union == union_permission(second, first)
    assert list(union.authorized_ids) == sorted(union.authorized_ids)
    for organization in "ABCDEF":
        assert union.allows(organization) is (first.allows(organization) or second.allows(organization))
