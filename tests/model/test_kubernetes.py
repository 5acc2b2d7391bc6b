from __future__ import annotations

from scanner.model.kubernetes import build
from scanner.parse.yaml import parse_text


def test_objects_are_addressed_kind_namespace_name_and_lists_unpacked():
    docs = parse_text("k.yaml", """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a, namespace: shop}
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: b
---
kind: NoApiVersion
---
apiVersion: apps/v1
kind: CronJob
metadata:
  name: report
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: x
""")
    resources = build(docs)
    assert [r.address for r in resources] == ["ConfigMap/shop/a", "ConfigMap/default/b", "CronJob/default/report"]
    assert resources[1].line == 7 and resources[1].locations["metadata.name"] == 10
    cron = resources[2]
    assert cron.pod_spec_path == "spec.jobTemplate.spec.template.spec"
    assert cron.locations["spec.jobTemplate.spec.template.spec.containers[0].image"] == 25
