"""Creation and combination of permissions (reference §12.1).

Permissions are created from what a client asked for (``NewPermissions``) by the rules of the contract:
a missing request means private, private permissions may only name organizations registered in the
channel, and the owner is always listed, also when the permission is public (clients expect
``{public: true, authorized_ids: [owner]}``).
"""

from collections.abc import Collection

from podium.domain.assets import NewPermissions, Permission, Permissions
from podium.domain.errors import BadRequest


def create_permission(owner: str, new: NewPermissions | None, registered: Collection[str]) -> Permission:
    """The permission ``owner`` grants with the request ``new``.

    Args:
        owner: the organization creating the asset; always listed in the result.
        new: the requested permission; ``None`` counts as ``{public: false}``.
        registered: the ids of the organizations registered in the channel.

    Returns:
        ``new.public`` and the requested ids in request order, without duplicates, then the owner when
        it was not requested.

    Raises:
        BadRequest: the permission is private and names an organization that is not registered.
    """
    public = new.public if new is not None else False
    requested = new.authorized_ids if new is not None else ()
    if not public:
        known = registered if isinstance(registered, set | frozenset) else set(registered)
        if any(organization not in known for organization in requested):
            raise BadRequest("invalid permission input values")
    ordered = dict.fromkeys(requested)
    ordered.setdefault(owner)
    return Permission(public=public, authorized_ids=tuple(ordered))


def create_permissions(owner: str, new: NewPermissions | None, registered: Collection[str]) -> Permissions:
    """``create_permission`` for both ``process`` and ``download`` (always equal at creation)."""
    permission = create_permission(owner, new, registered)
    return Permissions(process=permission, download=permission)


def union_permission(first: Permission, second: Permission) -> Permission:
    """Who may act under either permission: public when either is, and the ids of both, sorted.

    Substra leaves the order of the ids undefined; podium sorts them so that the result (and the
    snapshots and ledger hashes built from it) is deterministic.
    """
    return Permission(
        public=first.public or second.public,
        authorized_ids=tuple(sorted(set(first.authorized_ids) | set(second.authorized_ids))),
    )
