"""Model.add keeps the model sorted and its indexes as a whole index() would make them."""
from __future__ import annotations

from scanner.model.resource import Model, Resource


def _tf(type_: str, address: str, path: str, line: int, refs: dict[str, frozenset] | None = None) -> Resource:
    return Resource("terraform", type_, address, path, line, {}, references=refs or {})


def _indexes(model: Model) -> tuple:
    def ids(table: dict) -> dict:
        return {key: [id(r) for r in entries] for key, entries in table.items() if entries}
    return ids(model._types), ids(model._addresses), ids(model._links), [r.order for r in model.resources]


def test_add_gives_the_indexes_a_whole_index_gives():
    key = _tf("aws_kms_key", "aws_kms_key.k", "b/main.tf", 1)
    bucket = _tf("aws_s3_bucket", "aws_s3_bucket.a", "b/main.tf", 9, {"kms": frozenset({"aws_kms_key.k"})})
    model = Model([key, bucket])
    added = [
        # same type as an existing one, sorting before it: the type's list must be in model order again
        _tf("aws_s3_bucket", "aws_s3_bucket.z", "a/main.tf", 3, {"kms": frozenset({"aws_kms_key.k"})}),
        _tf("aws_s3_bucket", 'aws_s3_bucket.a["x"]', "b/main.tf", 9),   # same address base, after it
        Resource("model", "root_module", "root_module.b", "b/main.tf", 1, {}),
    ]
    model.add(list(added))
    added_to = _indexes(model)
    fresh = Model(list(model.resources))   # the same resources: its index() gives each its order again
    assert [r.address for r in model.resources] == [r.address for r in fresh.resources]
    assert [r.path for r in model.resources] == ["a/main.tf", "b/main.tf", "b/main.tf", "b/main.tf", "b/main.tf"]
    assert added_to == _indexes(fresh) and added_to[3] == [0, 1, 2, 3, 4]
    assert [r.address for r in model.linking(["aws_s3_bucket"], "kms", key)] == ["aws_s3_bucket.z", "aws_s3_bucket.a"]
    assert [r.address for r in model.at("aws_s3_bucket.a")] == ["aws_s3_bucket.a", 'aws_s3_bucket.a["x"]']
    assert [r.address for r in model.of_type(["root_module", "aws_kms_key"])] == ["aws_kms_key.k", "root_module.b"]


def test_adding_nothing_changes_nothing():
    model = Model([_tf("aws_kms_key", "aws_kms_key.k", "main.tf", 1)])
    before = _indexes(model)
    model.add([])
    assert _indexes(model) == before
