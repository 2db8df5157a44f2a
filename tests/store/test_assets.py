"""Conformance: organizations, functions, data managers, data samples and plans, on every backend."""

from dataclasses import replace

import pytest

from podium.domain.assets import Addressable, Organization
from podium.domain.errors import AlreadyExists
from podium.domain.kinds import FunctionStatus
from podium.store import SqlDatabase
from tests.store import builders as b


class TestOrganizations:
    def test_add_get_all_ordered_per_channel(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.organizations.add(Organization("org-b", "addr-b", b.at(1)))
            tx.organizations.add(Organization("org-c", "addr-c", b.at(0)))
            tx.organizations.add(Organization("org-a", "addr-a", b.at(1)))
        with database.transaction("c2", read_only=False) as tx:
            tx.organizations.add(Organization("org-a", "other", b.at(5)))
        with database.transaction("c1", read_only=True) as tx:
            assert [o.id for o in tx.organizations.all()] == ["org-c", "org-a", "org-b"]
            assert tx.organizations.get("org-a") == Organization("org-a", "addr-a", b.at(1))
            assert tx.organizations.get("missing") is None
        with database.transaction("c2", read_only=True) as tx:
            assert tx.organizations.all() == [Organization("org-a", "other", b.at(5))]

    def test_duplicate_in_channel_is_already_exists(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.organizations.add(Organization("org-a", "a", b.at(0)))
        with pytest.raises(AlreadyExists), database.transaction("c1", read_only=False) as tx:
            tx.organizations.add(Organization("org-a", "a", b.at(0)))


class TestFunctions:
    def test_roundtrip_is_exact(self, database: SqlDatabase) -> None:
        function = b.function("f1")
        with database.transaction("c1", read_only=False) as tx:
            tx.functions.add(function)
        with database.transaction("c1", read_only=True) as tx:
            loaded = tx.functions.get("f1")
        assert loaded == function
        assert loaded is not None
        assert loaded.snapshot() == function.snapshot()
        assert loaded.creation_date.tzinfo is not None

    def test_keys_are_global_and_reads_per_channel(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.functions.add(b.function("f1"))
        with database.transaction("c2", read_only=False) as tx:
            assert tx.functions.key_taken("f1")
            assert not tx.functions.key_taken("f2")
            assert tx.functions.get("f1") is None
            with pytest.raises(AlreadyExists) as raised:
                tx.functions.add(b.function("f1"))
        assert raised.value.key == "f1"

    def test_update_saves_name_status_image(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.functions.add(b.function("f1"))
        changed = replace(
            b.function("f1"), name="renamed", status=FunctionStatus.FAILED, image=Addressable("x", "http://i")
        )
        with database.transaction("c1", read_only=False) as tx:
            tx.functions.update(changed)
        with database.transaction("c1", read_only=True) as tx:
            assert tx.functions.get("f1") == changed

    def test_query_order_paging_and_plan_filter(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            for key, created in (("f3", 0), ("f1", 1), ("f2", 1), ("f4", 2)):
                tx.functions.add(b.function(key, created))
            tx.plans.add(b.plan("p1"))
            tx.tasks.add_many([b.task("t1", "p1", "f2"), b.task("t2", "p1", "f4")])
        with database.transaction("c2", read_only=False) as tx:
            tx.functions.add(b.function("other"))
        with database.transaction("c1", read_only=True) as tx:
            assert [f.key for f in tx.functions.query(0, 10)] == ["f3", "f1", "f2", "f4"]
            assert [f.key for f in tx.functions.query(1, 2)] == ["f1", "f2"]
            assert [f.key for f in tx.functions.query(0, 10, compute_plan_key="p1")] == ["f2", "f4"]


class TestDataManagers:
    def test_roundtrip_update_query_get_many(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.data_managers.add(b.data_manager("d2", 1))
            tx.data_managers.add(b.data_manager("d1", 1))
            tx.data_managers.add(b.data_manager("d0", 2))
            tx.data_managers.update(replace(b.data_manager("d1", 1), name="new"))
        with database.transaction("c2", read_only=False) as tx:
            assert tx.data_managers.key_taken("d1")
            tx.data_managers.add(b.data_manager("x"))
        with database.transaction("c1", read_only=True) as tx:
            assert tx.data_managers.get("d2") == b.data_manager("d2", 1)
            assert tx.data_managers.get("x") is None
            assert [d.key for d in tx.data_managers.query(0, 10)] == ["d1", "d2", "d0"]
            assert tx.data_managers.query(1, 1) == [b.data_manager("d2", 1)]
            many = tx.data_managers.get_many(["d1", "x", "missing", "d0"])
            assert set(many) == {"d1", "d0"}
            assert many["d1"].name == "new"


class TestDataSamples:
    def test_add_many_links_and_queries(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.data_managers.add(b.data_manager("dm1"))
            tx.data_managers.add(b.data_manager("dm2"))
            tx.data_samples.add_many(
                [
                    b.data_sample("s2", ("dm2", "dm1"), 1),
                    b.data_sample("s1", ("dm1",), 1),
                    b.data_sample("s0", ("dm2",), 2),
                ]
            )
        with database.transaction("c1", read_only=True) as tx:
            assert tx.data_samples.get("s2") == b.data_sample("s2", ("dm2", "dm1"), 1)
            assert [s.key for s in tx.data_samples.query(0, 10)] == ["s1", "s2", "s0"]
            assert [s.key for s in tx.data_samples.query(0, 10, keys=["s0", "s2"])] == ["s2", "s0"]
            assert tx.data_samples.query(2, 5) == [b.data_sample("s0", ("dm2",), 2)]
            assert tx.data_samples.keys_of_data_manager("dm1") == ["s1", "s2"]
            assert set(tx.data_samples.get_many(["s1", "nope"])) == {"s1"}
        with database.transaction("c1", read_only=False) as tx:
            tx.data_samples.update(b.data_sample("s1", ("dm2", "dm1"), 1))
        with database.transaction("c1", read_only=True) as tx:
            assert tx.data_samples.get("s1") == b.data_sample("s1", ("dm2", "dm1"), 1)
            assert tx.data_samples.keys_of_data_manager("dm2") == ["s1", "s2", "s0"]

    def test_duplicates_in_batch_or_stored_are_already_exists(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.data_managers.add(b.data_manager("dm1"))
            tx.data_samples.add_many([b.data_sample("s1", ("dm1",))])
        with pytest.raises(AlreadyExists) as raised, database.transaction("c1", read_only=False) as tx:
            tx.data_samples.add_many([b.data_sample("s3", ("dm1",)), b.data_sample("s3", ("dm1",))])
        assert raised.value.key == "s3"
        with database.transaction("c2", read_only=True) as tx:
            assert tx.data_samples.first_key_taken(["s9", "s1"]) == "s1"
        with pytest.raises(AlreadyExists) as raised, database.transaction("c2", read_only=False) as tx:
            tx.data_samples.add_many([b.data_sample("s4", ()), b.data_sample("s1", ())])
        assert raised.value.key == "s1"
        with database.transaction("c2", read_only=True) as tx:
            assert tx.data_samples.first_key_taken(["s4", "s9"]) is None


class TestPlans:
    def test_roundtrip_update_query(self, database: SqlDatabase) -> None:
        with database.transaction("c1", read_only=False) as tx:
            tx.plans.add(b.plan("p2", 1))
            tx.plans.add(b.plan("p1", 1, owner="org-b"))
            tx.plans.add(b.plan("p0", 3))
        updated = replace(b.plan("p2", 1), name="n", cancelation_date=b.at(9), failure_date=b.at(10))
        with database.transaction("c1", read_only=False) as tx:
            tx.plans.update(updated)
        with database.transaction("c2", read_only=True) as tx:
            assert tx.plans.key_taken("p0")
            assert tx.plans.get("p0") is None
        with database.transaction("c1", read_only=True) as tx:
            loaded = tx.plans.get("p2")
            assert loaded == updated
            assert loaded is not None
            assert loaded.snapshot() == updated.snapshot()
            assert [p.key for p in tx.plans.query(0, 10)] == ["p1", "p2", "p0"]
            assert [p.key for p in tx.plans.query(0, 10, owner="org-a")] == ["p2", "p0"]
            assert [p.key for p in tx.plans.query(2, 10)] == ["p0"]
